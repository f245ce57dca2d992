import type { SupabaseClient } from '@supabase/supabase-js';
import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { LeadStatus, VoicemailAction } from '../../../src/core/rows.js';
import { invokeFunction, type FunctionResult } from './invoke-function.js';

/** A lead list as REST reads `lead_lists`. */
export interface LeadListRow {
  readonly id: string;
  readonly name: string;
  readonly caller_id: string | null;
  readonly amd_enabled: boolean;
  readonly recording_enabled: boolean;
  readonly voicemail_action: VoicemailAction;
  readonly voicemail_message: string | null;
  readonly archived_at: string | null;
  readonly created_at: string;
  /** The list's calling window ('HH:MM:SS', both or neither) and attempt caps (0018); null: the workspace's. */
  readonly calling_window_start?: string | null;
  readonly calling_window_end?: string | null;
  readonly max_attempts_lifetime?: number | null;
  readonly max_attempts_per_day?: number | null;
  readonly max_attempts_per_24h?: number | null;
  /** A power-dial session's wrap-up time after a connected call, seconds (0026); null: until the rep saves the disposition. */
  readonly wrap_up_seconds?: number | null;
}

/** The settings a list is created or changed with (the list functions' fields). */
export interface LeadListFields {
  readonly name: string;
  readonly callerId: string | null;
  readonly amdEnabled: boolean;
  readonly recordingEnabled: boolean;
  readonly voicemailAction: VoicemailAction;
  readonly voicemailMessage: string | null;
  /** 'HH:MM' in the callee's local time, both or neither; it only narrows the workspace's window. */
  readonly callingWindowStart: string | null;
  readonly callingWindowEnd: string | null;
  /** Attempt caps per lead and per number; null: the workspace's. */
  readonly maxAttemptsLifetime: number | null;
  readonly maxAttemptsPerDay: number | null;
  readonly maxAttemptsPer24h: number | null;
  /** Seconds of wrap-up before a session dials on (5–3600); null: until the rep saves the disposition. */
  readonly wrapUpSeconds: number | null;
}

export const createLeadList = (supabase: SupabaseClient, fields: Partial<LeadListFields> & { readonly name: string }) => invokeFunction<{ list: { id: string } }>(supabase, 'createLeadList', { ...fields });
export const updateLeadList = (supabase: SupabaseClient, listId: string, fields: Partial<LeadListFields>) =>
  invokeFunction<{ list: { id: string } }>(supabase, 'updateLeadList', { listId, ...fields });
export const archiveLeadList = (supabase: SupabaseClient, listId: string) => invokeFunction<unknown>(supabase, 'archiveLeadList', { listId });

export const BULK_ACTIONS = ['assign', 'move', 'set_status', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export type BulkRequest =
  | { readonly action: 'assign'; readonly userEmail: string }
  | { readonly action: 'move'; readonly listId: string | null }
  | { readonly action: 'set_status'; readonly status: LeadStatus }
  | { readonly action: 'delete' };

export interface BulkOutcome {
  readonly updated: number;
  readonly skipped: readonly { readonly leadId: string; readonly reason: string }[];
}

/** At most this many leads go in one bulkUpdateLeads call (the server's limit). */
export const BULK_LIMIT = 1000;

export function bulkUpdateLeads(supabase: SupabaseClient, leadIds: readonly string[], request: BulkRequest): Promise<FunctionResult<BulkOutcome>> {
  return invokeFunction<BulkOutcome>(supabase, 'bulkUpdateLeads', { leadIds, ...request });
}

/** Why a bulk action left a lead as it was, in the app's words (reasons from bulkUpdateLeads). */
export const SKIP_REASON_LABEL: Readonly<Record<string, string>> = {
  not_found: 'not a lead you may change (or already gone)',
  unchanged: 'already as asked',
  do_not_call: 'do not call stays: it is never cleared',
  on_call: 'a call is live on it',
};

/** The workspace's lists (archived ones too, for names), with a reload after a change. */
export function useLeadLists(): { lists: readonly LeadListRow[]; reload(): void } {
  const supabase = useSupabase();
  const [lists, setLists] = useState<readonly LeadListRow[]>([]);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let isCurrent = true;
    void supabase
      .from('lead_lists')
      .select('*')
      .order('name')
      .then(({ data }) => {
        if (isCurrent && data) setLists(data as LeadListRow[]);
      });
    return () => {
      isCurrent = false;
    };
  }, [supabase, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { lists, reload };
}

import type { LeadStatus, VoicemailAction } from './rows.js';

/** A lead list (campaign) as clients read it from `lead_lists` (db/migrations/0014_lead_lists.sql). */
export interface LeadList<Time = string> {
  id: string;
  workspace_id: string;
  /** Who created it. */
  user_email: string;
  name: string;
  caller_id: string | null;
  amd_enabled: boolean;
  recording_enabled: boolean;
  voicemail_action: VoicemailAction;
  /** What a voicemail drop says when `voicemail_action` is `leave`. */
  voicemail_message: string | null;
  /** The list's calling window in the callee's local time ('HH:MM:SS', both or neither; 0018): it only narrows the workspace's. */
  calling_window_start: string | null;
  calling_window_end: string | null;
  /** Attempt caps per lead and per number (null: the workspace's); the stricter of the two applies. */
  max_attempts_lifetime: number | null;
  max_attempts_per_day: number | null;
  max_attempts_per_24h: number | null;
  /** A power-dial session's wrap-up timer after a conversation, in seconds (null: wait for the rep's disposition; 0026). */
  wrap_up_seconds: number | null;
  created_at: Time;
  updated_at: Time;
  /** An archived list keeps its leads but takes no new ones and no changes. */
  archived_at: Time | null;
}

export const MAX_LIST_NAME_LENGTH = 200;
export const MAX_VOICEMAIL_MESSAGE_LENGTH = 2000;

/** What bulkUpdateLeads does to a selection of leads. */
export const BULK_LEAD_ACTIONS = ['assign', 'move', 'set_status', 'delete'] as const;
export type BulkLeadAction = (typeof BULK_LEAD_ACTIONS)[number];

/** The most leads one bulkUpdateLeads call takes (one transaction). */
export const MAX_BULK_LEADS = 1000;

/**
 * Why a lead of the selection was left as it was:
 * - `not_found`: no lead with that id the caller may change (another workspace's, another rep's
 *   for a rep, or deleted meanwhile);
 * - `unchanged`: it already is as asked (owner, list or status);
 * - `do_not_call`: a status change asked of a do-not-call lead (the status is sticky);
 * - `on_call`: a live call is on it, so it is neither reassigned nor deleted under the call.
 */
export const BULK_SKIP_REASONS = ['not_found', 'unchanged', 'do_not_call', 'on_call'] as const;
export type BulkSkipReason = (typeof BULK_SKIP_REASONS)[number];

export interface BulkSkip {
  readonly leadId: string;
  readonly reason: BulkSkipReason;
}

/** The action with only its own fields (STYLE 8). */
export type BulkLeadChange =
  | { readonly action: 'assign'; readonly userEmail: string }
  | { readonly action: 'move'; readonly listId: string | null }
  | { readonly action: 'set_status'; readonly status: LeadStatus }
  | { readonly action: 'delete' };

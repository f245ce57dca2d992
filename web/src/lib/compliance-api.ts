import type { SupabaseClient } from '@supabase/supabase-js';
import type { ComplianceSettings } from '../../../src/core/compliance-settings.js';
import { pageRange } from '../components/pager.js';
import { uploadImportFile } from './import-api.js';
import { invokeFunction } from './invoke-function.js';

/** The dial gate's dry run (`checkDial`): what the server would decide for a dial now. Writes nothing. */
export interface DialCheck {
  readonly allowed: boolean;
  /** A refusal's error code: `do_not_call`, `outside_calling_hours`, `attempt_limit_reached`. */
  readonly code?: string;
  readonly message?: string;
  /** Which rule decided, e.g. `federal`, `region:TX:sun`, `dnc:list`. */
  readonly rule?: string;
  /** ISO 8601 with the callee's offset, in the zone that refused. */
  readonly calleeLocalTime?: string;
  /** When every zone of the callee is open again (ISO instant), or null when not within 8 days. */
  readonly opensAt?: string | null;
  /** When the next attempt is allowed under the caps (ISO instant); null for a lifetime cap. */
  readonly nextAttemptAt?: string | null;
  readonly zones: readonly string[];
  readonly regions: readonly string[];
  /** The callee's local time in each of their zones (ISO 8601 with offset). */
  readonly localTimes: readonly { readonly zone: string; readonly time: string }[];
  /** The gate's clock when it judged (ISO instant): in demo mode, the simulated clock. */
  readonly now?: string;
}

export interface DialCheckRequest {
  readonly to: string;
  readonly leadId?: string | undefined;
  readonly extension?: string | undefined;
  readonly mock?: boolean | undefined;
}

export const checkDial = (supabase: SupabaseClient, request: DialCheckRequest) =>
  invokeFunction<DialCheck>(supabase, 'checkDial', Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined && value !== '')));

export { RECORDING_CONSENT_MODES, type RecordingConsentMode } from '../../../src/core/recording-consent.js';
export type { ComplianceSettings };


export const RULE_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'holiday'] as const;
export type RuleDay = (typeof RULE_DAYS)[number];
export const RULE_DAY_LABEL: Readonly<Record<RuleDay, string>> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
  holiday: 'Federal holidays',
};
export const isRuleDay = (value: string): value is RuleDay => (RULE_DAYS as readonly string[]).includes(value);

/** One row of the workspace's calling-hours table: no window (both null) means no calls that day. */
export interface CallingHourRule {
  readonly region: string;
  readonly day: RuleDay;
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  readonly source: string;
  /** Null: copied from the defaults. */
  readonly updatedBy: string | null;
  readonly updatedAt: string;
}

export interface ComplianceConfig {
  readonly settings: ComplianceSettings;
  readonly rules: readonly CallingHourRule[];
}

export const getComplianceSettings = (supabase: SupabaseClient) => invokeFunction<ComplianceConfig>(supabase, 'getComplianceSettings', {});
export const setComplianceSettings = (supabase: SupabaseClient, settings: Partial<ComplianceSettings>) =>
  invokeFunction<{ settings: ComplianceSettings }>(supabase, 'setComplianceSettings', { ...settings });
export const setCallingHourRule = (
  supabase: SupabaseClient,
  rule: { region: string; day: RuleDay; windowStart: string | null; windowEnd: string | null; source: string },
) => invokeFunction<unknown>(supabase, 'setCallingHourRule', { ...rule });
export const deleteCallingHourRule = (supabase: SupabaseClient, rule: { region: string; day: RuleDay }) =>
  invokeFunction<unknown>(supabase, 'deleteCallingHourRule', { ...rule });

/** 'HH:MM:SS' (as Postgres sends a time) or 'HH:MM' → 'HH:MM'. */
export const shortTime = (time: string | null | undefined) => (time ? time.slice(0, 5) : '');

export interface DncAdded {
  readonly added: number;
  readonly alreadyListed: number;
  readonly invalid: readonly { readonly input: string; readonly message: string }[];
}

export const addDoNotCallNumbers = (supabase: SupabaseClient, numbers: readonly string[], note?: string) =>
  invokeFunction<DncAdded>(supabase, 'addDoNotCallNumbers', { numbers, ...(note ? { note } : {}) });
export const removeDoNotCallNumber = (supabase: SupabaseClient, phoneNumber: string, reason: string) =>
  invokeFunction<{ removed: boolean }>(supabase, 'removeDoNotCallNumber', { phoneNumber, reason });

export interface DncImported {
  readonly added: number;
  readonly alreadyListed: number;
  readonly invalid: number;
  readonly errors: readonly { readonly row: number; readonly input: string; readonly message: string }[];
}

/** Uploads a file of numbers (CSV, TXT, or a national registry download) as the raw body of `POST /imports/do-not-call`. */
export const uploadDoNotCallFile = (supabase: SupabaseClient, file: File) => uploadImportFile<DncImported>(supabase, '/imports/do-not-call', file);

/** A number on the workspace's do-not-call list, as REST reads `do_not_call_numbers`. */
export interface DncRow {
  readonly phone_number: string;
  readonly user_email: string;
  readonly source: string;
  readonly note: string | null;
  readonly created_at: string;
}

export type Page<Row> = { ok: true; rows: Row[]; total: number } | { ok: false; code: string | undefined; message: string };

/** One page of the do-not-call list, newest first, with the total; `search` matches the number's digits. */
export async function fetchDncPage(supabase: SupabaseClient, q: { search: string; page: number; pageSize: number }): Promise<Page<DncRow>> {
  let query = supabase.from('do_not_call_numbers').select('*', { count: 'exact' });
  const digits = q.search.replace(/\D/g, '');
  if (digits !== '') query = query.like('phone_number', `%${digits}%`);
  const [first, last] = pageRange(q.page, q.pageSize);
  const { data, count, error } = await query.order('created_at', { ascending: false }).order('phone_number').range(first, last);
  if (error) return { ok: false, code: error.code, message: error.message };
  return { ok: true, rows: (data ?? []) as DncRow[], total: count ?? 0 };
}

export const COMPLIANCE_EVENT_KINDS = ['dial_refused', 'abandoned', 'dnc_added', 'dnc_removed'] as const;
export type ComplianceEventKind = (typeof COMPLIANCE_EVENT_KINDS)[number];
export const isComplianceEventKind = (value: string): value is ComplianceEventKind => (COMPLIANCE_EVENT_KINDS as readonly string[]).includes(value);
export const COMPLIANCE_EVENT_LABEL: Readonly<Record<ComplianceEventKind, string>> = {
  dial_refused: 'Dial refused',
  abandoned: 'Abandoned call',
  dnc_added: 'Added to do-not-call',
  dnc_removed: 'Removed from do-not-call',
};
/** The refusal codes the log can be filtered by. */
export const REFUSAL_CODES = ['do_not_call', 'outside_calling_hours', 'attempt_limit_reached'] as const;
export const REFUSAL_CODE_LABEL: Readonly<Record<(typeof REFUSAL_CODES)[number], string>> = {
  do_not_call: 'Do not call',
  outside_calling_hours: 'Outside calling hours',
  attempt_limit_reached: 'Attempt limit reached',
};

/** One entry of the compliance log, as REST reads `compliance_events`. */
export interface ComplianceEventRow {
  readonly id: number;
  readonly user_email: string;
  readonly kind: ComplianceEventKind;
  readonly code: string | null;
  readonly rule: string | null;
  readonly phone_number: string | null;
  readonly lead_id: string | null;
  readonly list_id: string | null;
  readonly call_id: string | null;
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly created_at: string;
}

export interface ComplianceLogQuery {
  readonly kind: ComplianceEventKind | '';
  readonly code: string;
  /** `''`: everyone the member may see (a rep: their own, RLS decides). */
  readonly userEmail: string;
  /** At or after this instant (ISO), or `''`. */
  readonly from: string;
  /** Before this instant (ISO), or `''`. */
  readonly to: string;
  readonly page: number;
  readonly pageSize: number;
}

/** One page of the compliance log, newest first, with the total, filtered on the server. */
export async function fetchComplianceLogPage(supabase: SupabaseClient, q: ComplianceLogQuery): Promise<Page<ComplianceEventRow>> {
  let query = supabase.from('compliance_events').select('*', { count: 'exact' });
  if (q.kind !== '') query = query.eq('kind', q.kind);
  if (q.code !== '') query = query.eq('code', q.code);
  if (q.userEmail !== '') query = query.eq('user_email', q.userEmail);
  if (q.from !== '') query = query.gte('created_at', q.from);
  if (q.to !== '') query = query.lt('created_at', q.to);
  const [first, last] = pageRange(q.page, q.pageSize);
  const { data, count, error } = await query.order('created_at', { ascending: false }).order('id', { ascending: false }).range(first, last);
  if (error) return { ok: false, code: error.code, message: error.message };
  return { ok: true, rows: (data ?? []) as ComplianceEventRow[], total: count ?? 0 };
}

/** Abandoned over answered calls in a window (`getAbandonmentRates`); percent null without answered calls. */
export interface AbandonmentFigures {
  readonly answered: number;
  readonly abandoned: number;
  readonly percent: number | null;
  /** At or over the workspace's limit: power-dial sessions dial one line. */
  readonly hasReachedLimit: boolean;
}
export interface AbandonmentRates {
  readonly from: string;
  readonly to: string;
  readonly windowDays: number;
  readonly limitPercent: number;
  readonly mode: 'live' | 'demo';
  readonly total: AbandonmentFigures;
  readonly lists: readonly (AbandonmentFigures & { readonly listId: string | null; readonly name: string | null; readonly isArchived: boolean })[];
  readonly reps: readonly (AbandonmentFigures & { readonly userEmail: string })[];
}

/** The rolling abandonment rates (47 CFR 64.1200(a)(7)) of the workspace (a rep: their own), real calls or demo calls. */
export const getAbandonmentRates = (supabase: SupabaseClient, request: { mode: 'live' | 'demo'; listId?: string; userEmail?: string }) =>
  invokeFunction<AbandonmentRates>(supabase, 'getAbandonmentRates', { ...request });

/** '1.52%' (two decimals at most), '—' without answered calls. */
export const formatPercent = (percent: number | null) => (percent === null ? '—' : `${Math.round(percent * 100) / 100}%`);

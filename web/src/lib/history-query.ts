import type { SupabaseClient } from '@supabase/supabase-js';
import type { TerminalStatus } from '../../../src/core/call-status.js';
import type { CallLog, Disposition } from '../../../src/core/rows.js';
import { pageRange } from '../components/pager.js';
import { likeValue, phoneDigits } from './lead-search.js';

/** `''` every call, `'none'` calls with no disposition yet, else one disposition. */
export type DispositionFilter = '' | 'none' | Disposition;

export interface HistoryQuery {
  readonly search: string;
  readonly outcome: TerminalStatus | '';
  readonly disposition: DispositionFilter;
  /** `''`: every call the member may see (a rep: their own, RLS decides). */
  readonly userEmail: string;
  /** Calls that ended at or after this instant (ISO), or `''`. */
  readonly endedFrom: string;
  /** Calls that ended before this instant (ISO), or `''`. */
  readonly endedBefore: string;
  readonly page: number;
  readonly pageSize: number;
}

export type HistoryPage = { ok: true; logs: CallLog[]; total: number } | { ok: false; code: string | undefined; message: string };

/**
 * The History search as one PostgREST `or` tree, as the Leads search does it (LS1): the lead's
 * name contains the words as typed, and the number called holds the digits only when the whole
 * query is a number. Null for an empty query.
 */
export function historySearchFilter(query: string): string | null {
  const text = query.trim();
  if (text === '') return null;
  const conditions = [`lead_name.ilike.${likeValue(text)}`];
  const digits = phoneDigits(text);
  if (digits !== null) conditions.push(`to_number.like.${likeValue(digits)}`);
  return conditions.join(',');
}

/** One page of finished calls, newest first, with the total, searched and filtered by the server (LS1). */
export async function fetchHistoryPage(supabase: SupabaseClient, q: HistoryQuery): Promise<HistoryPage> {
  let query = supabase.from('call_logs').select('*', { count: 'exact' });
  if (q.userEmail !== '') query = query.eq('user_email', q.userEmail);
  if (q.outcome !== '') query = query.eq('outcome', q.outcome);
  if (q.disposition === 'none') query = query.is('disposition', null);
  else if (q.disposition !== '') query = query.eq('disposition', q.disposition);
  if (q.endedFrom !== '') query = query.gte('ended_at', q.endedFrom);
  if (q.endedBefore !== '') query = query.lt('ended_at', q.endedBefore);
  const filter = historySearchFilter(q.search);
  if (filter) query = query.or(filter);
  const [first, last] = pageRange(q.page, q.pageSize);
  const { data, count, error } = await query.order('ended_at', { ascending: false }).order('id', { ascending: false }).range(first, last);
  if (error) return { ok: false, code: error.code, message: error.message };
  return { ok: true, logs: (data ?? []) as CallLog[], total: count ?? 0 };
}

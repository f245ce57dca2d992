import type { SupabaseClient } from '@supabase/supabase-js';
import type { Lead, LeadStatus } from '../../../src/core/rows.js';
import { pageRange } from '../components/pager.js';
import { leadSearchFilter } from './lead-search.js';

export const LEAD_SORT_COLUMNS = ['name', 'company', 'status', 'attempts', 'last_called_at', 'callback_at', 'created_at'] as const;
export type LeadSortColumn = (typeof LEAD_SORT_COLUMNS)[number];

export interface LeadSort {
  readonly column: LeadSortColumn;
  readonly isAscending: boolean;
}

/** `''` all lists, `'none'` leads in no list, else a list's id. */
export type ListFilter = '' | 'none' | (string & {});

export interface LeadsQuery {
  readonly search: string;
  readonly status: LeadStatus | '';
  readonly listId: ListFilter;
  /** `''`: every lead the member may see (a rep: their own, RLS decides). */
  readonly owner: string;
  /** Only leads whose promised callback time has come, soonest first. */
  readonly isCallbackDue: boolean;
  readonly sort: LeadSort;
  readonly page: number;
  readonly pageSize: number;
}

export type LeadsPage = { ok: true; leads: Lead[]; total: number } | { ok: false; code: string | undefined; message: string };

/** The leads query of `q`'s search and filters, sorted (no range yet). */
function buildLeadsQuery(supabase: SupabaseClient, q: Omit<LeadsQuery, 'page' | 'pageSize'>, columns: string, now: Date) {
  let query = supabase.from('leads').select(columns, { count: 'exact' });
  if (q.owner !== '') query = query.eq('user_email', q.owner);
  if (q.status !== '') query = query.eq('status', q.status);
  if (q.listId === 'none') query = query.is('list_id', null);
  else if (q.listId !== '') query = query.eq('list_id', q.listId);
  if (q.isCallbackDue) query = query.lte('callback_at', now.toISOString());
  const filter = leadSearchFilter(q.search);
  if (filter) query = query.or(filter);
  const sort = q.isCallbackDue ? { column: 'callback_at', isAscending: true } : q.sort;
  query = query.order(sort.column, { ascending: sort.isAscending, nullsFirst: false });
  // Leads created together (an import) keep a stable order: by name, then id.
  if (sort.column !== 'name') query = query.order('name', { ascending: true });
  return query.order('id', { ascending: true });
}

/** One page of leads with the total, searched, filtered and sorted by the server (LS1). */
export async function fetchLeadsPage(supabase: SupabaseClient, q: LeadsQuery, now: Date = new Date()): Promise<LeadsPage> {
  const [first, last] = pageRange(q.page, q.pageSize);
  const { data, count, error } = await buildLeadsQuery(supabase, q, '*', now).range(first, last);
  if (error) return { ok: false, code: error.code, message: error.message };
  return { ok: true, leads: (data ?? []) as unknown as Lead[], total: count ?? 0 };
}

/** The ids of every lead matching `q` (for a bulk action on all of them), read 1,000 at a time. */
export async function fetchMatchingLeadIds(supabase: SupabaseClient, q: LeadsQuery, now: Date = new Date()): Promise<{ ok: true; ids: string[] } | { ok: false; message: string }> {
  const ids: string[] = [];
  for (let from = 0; ; from += 1000) {
    const { data, count, error } = await buildLeadsQuery(supabase, q, 'id', now).range(from, from + 999);
    if (error) return { ok: false, message: error.message };
    ids.push(...((data ?? []) as unknown as { id: string }[]).map((row) => row.id));
    if (!data || data.length < 1000 || ids.length >= (count ?? 0)) return { ok: true, ids };
  }
}

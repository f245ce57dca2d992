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

/** One page of leads with the total, searched, filtered and sorted by the server (LS1). */
export async function fetchLeadsPage(supabase: SupabaseClient, q: LeadsQuery, now: Date = new Date()): Promise<LeadsPage> {
  let query = supabase.from('leads').select('*', { count: 'exact' });
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
  const [first, last] = pageRange(q.page, q.pageSize);
  const { data, count, error } = await query.order('id', { ascending: true }).range(first, last);
  if (error) return { ok: false, code: error.code, message: error.message };
  return { ok: true, leads: (data ?? []) as Lead[], total: count ?? 0 };
}

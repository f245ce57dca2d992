import type { Database } from '../db/database.js';
import type { ColumnTypes } from './filter.js';

/**
 * Tables clients can subscribe to; each row belongs to the member named in its `user_email` and
 * to the workspace in its `workspace_id` (see canViewRow).
 */
export const REALTIME_TABLES = ['active_calls', 'leads', 'call_logs', 'user_stats', 'dialer_settings', 'workspace_members', 'rep_states', 'dialer_sessions'] as const;
export type RealtimeTable = (typeof REALTIME_TABLES)[number];

export function isRealtimeTable(value: unknown): value is RealtimeTable {
  return typeof value === 'string' && (REALTIME_TABLES as readonly string[]).includes(value);
}

/** The primary key the change feed names a row by when its payload is too large to send. */
export const TABLE_KEYS: Readonly<Record<RealtimeTable, string>> = {
  active_calls: 'id',
  leads: 'id',
  call_logs: 'id',
  user_stats: 'user_email',
  dialer_settings: 'user_email',
  workspace_members: 'user_email',
  rep_states: 'user_email',
  dialer_sessions: 'id',
};

export type RealtimeCatalog = ReadonlyMap<RealtimeTable, ColumnTypes>;

/** Column names and types of each subscribable table, read once at start. */
export async function loadRealtimeCatalog(db: Database): Promise<RealtimeCatalog> {
  const rows = await db.sql<{ table_name: string; column_name: string; udt_name: string }>`
    select table_name::text, column_name::text, udt_name::text from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`;
  const catalog = new Map<RealtimeTable, Map<string, string>>();
  for (const row of rows) {
    if (!isRealtimeTable(row.table_name)) continue;
    const columns = catalog.get(row.table_name) ?? new Map<string, string>();
    columns.set(row.column_name, row.udt_name);
    catalog.set(row.table_name, columns);
  }
  return catalog;
}

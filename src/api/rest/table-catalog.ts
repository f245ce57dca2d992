import type { Queryable } from '../../db/database.js';

/**
 * The tables `/rest/v1` exposes, and nothing else: auth tables, provider logs and migration
 * bookkeeping stay out of reach even for the service role. The two status tables mirror
 * src/core's transition table, so they are never written through REST.
 */
export const EXPOSED_TABLES = {
  dialer_settings: 'read-write',
  leads: 'read-write',
  active_calls: 'read-write',
  call_logs: 'read-write',
  user_stats: 'read-write',
  call_statuses: 'read-only',
  call_status_transitions: 'read-only',
  // Teams (0011): clients read them under row-level security; the server's functions write them.
  workspaces: 'read-only',
  workspace_members: 'read-only',
  workspace_invitations: 'read-only',
  audit_log: 'read-only',
  rep_states: 'read-only',
  rep_state_log: 'read-only',
  // Lead lists (0014): every member reads their workspace's lists; the list functions write them.
  lead_lists: 'read-only',
  // Compliance (0018): the workspace's do-not-call list is written by its functions only (each
  // change under the dial gate's lock and in the compliance log); the log, the calling-hours table
  // and its defaults are read under row-level security.
  do_not_call_numbers: 'read-only',
  compliance_events: 'read-only',
  calling_hour_rules: 'read-only',
  calling_hour_rule_defaults: 'read-only',
  // Power-dial sessions (0021): a rep reads their own, admins and managers their workspace's; the
  // session functions and the dialing loop write them. Reservations and worked leads stay server-only.
  dialer_sessions: 'read-only',
} as const;
export type ExposedTable = keyof typeof EXPOSED_TABLES;

export interface TableInfo {
  readonly name: ExposedTable;
  readonly isReadOnly: boolean;
  /** Column name → its SQL type as Postgres spells it (`uuid`, `timestamp with time zone`). */
  readonly columns: ReadonlyMap<string, string>;
  readonly primaryKey: readonly string[];
}

export type TableCatalog = ReadonlyMap<string, TableInfo>;

/** A type name read from the catalogue is written into casts, so it must be a plain type name. */
const SQL_TYPE = /^[a-z][a-z0-9_ ]*(\(\d+(,\d+)?\))?[a-z ]*(\[\])*$/;

export function isExposedTable(name: string): name is ExposedTable {
  return Object.hasOwn(EXPOSED_TABLES, name);
}

/** Reads the exposed tables' columns and primary keys from pg_catalog. */
export async function loadTableCatalog(db: Queryable): Promise<TableCatalog> {
  const rows = await db.query<{ table_name: string; column_name: string; column_type: string; is_primary_key: boolean }>(`
    select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as column_type,
      coalesce(a.attnum = any(i.indkey), false) as is_primary_key
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    left join pg_catalog.pg_index i on i.indrelid = c.oid and i.indisprimary
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    order by c.relname, a.attnum`);
  const tables = new Map<string, { columns: Map<string, string>; primaryKey: string[] }>();
  for (const row of rows) {
    if (!isExposedTable(row.table_name)) continue;
    if (!SQL_TYPE.test(row.column_type)) throw new Error(`column ${row.table_name}.${row.column_name} has a type REST cannot cast to: ${row.column_type}`);
    const table = tables.get(row.table_name) ?? { columns: new Map<string, string>(), primaryKey: [] };
    table.columns.set(row.column_name, row.column_type);
    if (row.is_primary_key) table.primaryKey.push(row.column_name);
    tables.set(row.table_name, table);
  }
  return new Map(
    [...tables].flatMap(([name, table]) =>
      isExposedTable(name) ? [[name, { name, isReadOnly: EXPOSED_TABLES[name] === 'read-only', ...table }] as const] : [],
    ),
  );
}

/** Loads the catalogue on first use and keeps it; a failed load is retried by the next request. */
export function createTableCatalogCache(db: Queryable): () => Promise<TableCatalog> {
  let loading: Promise<TableCatalog> | undefined;
  return () => {
    loading ??= loadTableCatalog(db).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

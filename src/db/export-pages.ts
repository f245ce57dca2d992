import type { Database, Row } from './database.js';
import { readAs, type Viewer } from './reports.js';

export const EXPORT_KINDS = ['history', 'leads', 'compliance'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportFilters {
  /** Rows at or after (history: the call ended; leads: the lead was created). */
  readonly from?: Date | undefined;
  /** Rows before (exclusive). */
  readonly to?: Date | undefined;
  /** Only this rep's rows (the call's rep, the lead's owner, who dialed or acted), still under the viewer's visibility. */
  readonly userEmail?: string | undefined;
  /** Compliance only: entries of this kind (`dial_refused`, `abandoned`, `dnc_added`, `dnc_removed`). */
  readonly eventKind?: string | undefined;
  /** Compliance only: entries with this code (a refusal's, e.g. `outside_calling_hours`). */
  readonly code?: string | undefined;
}

interface ExportTable {
  readonly table: string;
  /** The time the range filters on and rows are ordered by (oldest first), then `id`. */
  readonly timeColumn: string;
  /** Whether the time column can be null (such rows come first, ordered by id, when no range is asked). */
  readonly isTimeNullable: boolean;
  /** The CSV's columns, in order, with the header named after them. */
  readonly columns: readonly string[];
  /** How a column is read when not as itself (a JSON column as its text). */
  readonly expressions?: Readonly<Record<string, string>>;
  /** The key's type, for the cursor. */
  readonly idType: 'uuid' | 'bigint';
}

const EXPORT_TABLES: Readonly<Record<ExportKind, ExportTable>> = {
  history: {
    table: 'call_logs',
    timeColumn: 'ended_at',
    isTimeNullable: true,
    columns: [
      'id', 'ended_at', 'started_at', 'answered_at', 'user_email', 'lead_id', 'lead_name', 'to_number', 'line_number',
      'outcome', 'answered_by', 'talk_seconds', 'ring_seconds', 'disposition', 'notes', 'callback_at', 'is_mock',
      'provider', 'session_id', 'call_sid', 'recording_url', 'last_error',
    ],
    idType: 'uuid',
  },
  leads: {
    table: 'leads',
    timeColumn: 'created_at',
    isTimeNullable: false,
    columns: ['id', 'created_at', 'user_email', 'name', 'phone', 'company', 'email', 'status', 'attempts', 'last_called_at', 'callback_at', 'notes', 'updated_at'],
    idType: 'uuid',
  },
  // The compliance log (0018): every refused dial, abandoned call and do-not-call change.
  compliance: {
    table: 'compliance_events',
    timeColumn: 'created_at',
    isTimeNullable: false,
    columns: ['id', 'created_at', 'user_email', 'kind', 'code', 'rule', 'phone_number', 'lead_id', 'list_id', 'call_id', 'message', 'details'],
    expressions: { details: 'details::text' },
    idType: 'bigint',
  },
};

export function exportColumns(kind: ExportKind): readonly string[] {
  return EXPORT_TABLES[kind].columns;
}

/** Rows per page: a page is one short transaction, and at most this many rows are in memory. */
export const EXPORT_PAGE_ROWS = 1000;

/**
 * Where the next page starts: the rows whose time is null (by id), then the others by (time, id).
 * The cursor time is PostgreSQL's own text for the value (microseconds and zone), so the
 * comparison is exact and no row is skipped or repeated.
 */
type Cursor = { readonly phase: 'untimed'; readonly id: string | undefined } | { readonly phase: 'timed'; readonly time: string; readonly id: string } | { readonly phase: 'first-timed' };

interface PageRow extends Row {
  cursor_id: string;
  cursor_time: string | null;
}

/**
 * Every row of an export, oldest first, as pages of at most `pageSize` rows, read as the viewer
 * (row-level security decides which rows exist for them) by keyset (time, id): each page is its
 * own short read-only transaction, so a slow download never holds a connection (PGlite has one)
 * and memory stays at one page. A row written while the export runs appears if it sorts after the
 * page being read; none is repeated or skipped.
 */
export async function* readExportPages(db: Database, viewer: Viewer, kind: ExportKind, filters: ExportFilters, pageSize = EXPORT_PAGE_ROWS): AsyncGenerator<Row[]> {
  const spec = EXPORT_TABLES[kind];
  const hasRange = filters.from !== undefined || filters.to !== undefined;
  // A row without a time is outside every range; without a range it must still be exported.
  let cursor: Cursor = spec.isTimeNullable && !hasRange ? { phase: 'untimed', id: undefined } : { phase: 'first-timed' };
  for (;;) {
    const { text, params } = pageStatement(spec, filters, cursor, pageSize);
    const rows = await readAs(db, viewer, (tx) => tx.query<PageRow>(text, params));
    if (rows.length > 0) yield rows.map((row) => toExportRow(spec, row));
    const last = rows.at(-1);
    if (rows.length === pageSize && last) {
      cursor = cursor.phase === 'untimed' ? { phase: 'untimed', id: last.cursor_id } : { phase: 'timed', time: String(last.cursor_time), id: last.cursor_id };
    } else if (cursor.phase === 'untimed') {
      cursor = { phase: 'first-timed' };
    } else {
      return;
    }
  }
}

function toExportRow(spec: ExportTable, row: PageRow): Row {
  return Object.fromEntries(spec.columns.map((column) => [column, row[column]]));
}

/** The page's statement, from fixed fragments (table and column names are ours; values are parameters). */
function pageStatement(spec: ExportTable, filters: ExportFilters, cursor: Cursor, pageSize: number): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const time = spec.timeColumn;
  const conditions: string[] = [];
  if (filters.userEmail !== undefined) conditions.push(`user_email = ${param(filters.userEmail, 'text')}`);
  // The event filters name compliance_events' own columns; other kinds never carry them (createExport).
  if (filters.eventKind !== undefined) conditions.push(`kind = ${param(filters.eventKind, 'text')}`);
  if (filters.code !== undefined) conditions.push(`code = ${param(filters.code, 'text')}`);
  let order: string;
  if (cursor.phase === 'untimed') {
    conditions.push(`${time} is null`);
    if (cursor.id !== undefined) conditions.push(`id > ${param(cursor.id, spec.idType)}`);
    order = 'id';
  } else {
    conditions.push(`${time} is not null`);
    if (filters.from !== undefined) conditions.push(`${time} >= ${param(filters.from, 'timestamptz')}`);
    if (filters.to !== undefined) conditions.push(`${time} < ${param(filters.to, 'timestamptz')}`);
    // The cursor's time goes as text, cast by Postgres: a parameter typed timestamptz is turned into
    // a JavaScript Date by postgres.js, which keeps milliseconds only, and a cursor moved back below
    // its row would read again every row of that millisecond (forever, when a page's worth share it).
    if (cursor.phase === 'timed') conditions.push(`(${time}, id) > (${param(cursor.time, 'text')}::timestamptz, ${param(cursor.id, spec.idType)})`);
    order = `${time}, id`;
  }
  const select = spec.columns.map((column) => (spec.expressions?.[column] ? `${spec.expressions[column]} as ${column}` : column));
  const text = `select ${select.join(', ')}, ${time}::text as cursor_time, id::text as cursor_id from ${spec.table}
    where ${conditions.join(' and ')} order by ${order} limit ${param(pageSize, 'int')}`;
  return { text, params };
}

/**
 * Whether a member may still act: an active membership. A deactivated member's export link is
 * refused outright, not answered with an empty file.
 */
export async function isActiveMember(db: Database, userId: string): Promise<boolean> {
  const [member] = await db.sql<{ is_active: boolean }>`select is_active from workspace_members where user_id = ${userId}::uuid`;
  return member?.is_active === true;
}

import type { Database, Row } from './database.js';
import { readAs, type Viewer } from './reports.js';

export const EXPORT_KINDS = ['history', 'leads'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportFilters {
  /** Rows at or after (history: the call ended; leads: the lead was created). */
  readonly from?: Date | undefined;
  /** Rows before (exclusive). */
  readonly to?: Date | undefined;
  /** Only this rep's rows (the call's rep, the lead's owner), still under the viewer's visibility. */
  readonly userEmail?: string | undefined;
}

interface ExportTable {
  readonly table: string;
  /** The time the range filters on and rows are ordered by (oldest first), then `id`. */
  readonly timeColumn: string;
  /** Whether the time column can be null (such rows come first, ordered by id, when no range is asked). */
  readonly isTimeNullable: boolean;
  /** The CSV's columns, in order, with the header named after them. */
  readonly columns: readonly string[];
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
  },
  leads: {
    table: 'leads',
    timeColumn: 'created_at',
    isTimeNullable: false,
    columns: ['id', 'created_at', 'user_email', 'name', 'phone', 'company', 'email', 'status', 'attempts', 'last_called_at', 'callback_at', 'notes', 'updated_at'],
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
  id: string;
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
      cursor = cursor.phase === 'untimed' ? { phase: 'untimed', id: last.id } : { phase: 'timed', time: String(last.cursor_time), id: last.id };
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
  let order: string;
  if (cursor.phase === 'untimed') {
    conditions.push(`${time} is null`);
    if (cursor.id !== undefined) conditions.push(`id > ${param(cursor.id, 'uuid')}`);
    order = 'id';
  } else {
    conditions.push(`${time} is not null`);
    if (filters.from !== undefined) conditions.push(`${time} >= ${param(filters.from, 'timestamptz')}`);
    if (filters.to !== undefined) conditions.push(`${time} < ${param(filters.to, 'timestamptz')}`);
    // The cursor's time goes as text, cast by Postgres: a parameter typed timestamptz is turned into
    // a JavaScript Date by postgres.js, which keeps milliseconds only, and a cursor moved back below
    // its row would read again every row of that millisecond (forever, when a page's worth share it).
    if (cursor.phase === 'timed') conditions.push(`(${time}, id) > (${param(cursor.time, 'text')}::timestamptz, ${param(cursor.id, 'uuid')})`);
    order = `${time}, id`;
  }
  const text = `select ${spec.columns.join(', ')}, ${time}::text as cursor_time from ${spec.table}
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

import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, type TokenService } from '../src/api/jwt.js';
import { createRestRoutes } from '../src/api/rest.js';
import { loadRealtimeCatalog, REALTIME_TABLES, type RealtimeCatalog, type RealtimeTable } from '../src/realtime/catalog.js';
import { matchesFilter, parseRowFilter } from '../src/realtime/filter.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { TEST_JWT_SECRET } from './support/server.js';

/**
 * AU1's sibling for filters: for random rows and random filters on every realtime table, the rows
 * realtime's matcher keeps are exactly the rows a REST select with the same filter returns, on
 * both databases. A filter realtime refuses as invalid, REST refuses too; one realtime refuses as
 * unsupported (a form Postgres may read that realtime does not guess at) is counted, not compared.
 */

const KEY_COLUMNS: Readonly<Record<RealtimeTable, readonly string[]>> = {
  active_calls: ['id'],
  leads: ['id'],
  call_logs: ['id'],
  user_stats: ['user_email', 'is_mock'],
  dialer_settings: ['user_email'],
  workspace_members: ['user_id'],
  rep_states: ['user_email'],
  dialer_sessions: ['id'],
};

const UUIDS = [
  '0f8fad5b-d9cb-469f-a165-70867728950e',
  '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  'c9bf9e57-1685-4c89-bafb-ff5af830be8a',
  'c9bf9e57-1685-4c89-bafb-ff5af830be8b',
  'f0000000-0000-4000-8000-000000000000',
  '00000000-0000-4000-8000-00000000000a',
];
const TEXTS = ['', 'a', 'B', 'ab', 'null', 'Acme, Inc', 'Initech', 'é', 'Z', '\u{1F600}', '\uFFFD', 'a"b', 'a\\b', ' a', '(x)', 'a.b@example.com'];
const PHONES = ['+14155550100', '+14155550101'];
const INTEGERS = [-1, 0, 1, 2, 3, 9, 10, 100];
const INSTANTS_MS = [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, Date.UTC(2025, 11, 31, 23, 59, 59), Date.UTC(2026, 5, 15, 12, 30)];
const OFFSETS_MINUTES = [0, 60, -300, 330, 840];

/** Checked columns get values their checks take, so most generated rows can be stored. */
const CHECKED_TEXT: Readonly<Record<string, readonly string[]>> = {
  to_number: PHONES,
  phone: PHONES,
  caller_id: PHONES,
  forward_to_number: PHONES,
  status_source: ['mock', 'system'],
  provider: ['mock', 'twilio'],
  voicemail_action: ['hangup', 'leave'],
  reported_status: ['completed', 'busy'],
  disposition: ['interested', 'other'],
  name: ['Ann', 'Acme, Inc', 'B'],
  role: ['admin', 'manager', 'rep'],
  state: ['offline', 'available', 'on_call'],
};

/** A timestamp with microseconds, written in one of several offsets. */
function timestampText(ms: number, extraMicros: number, offsetMinutes: number, separator: 'T' | ' '): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', separator);
  const micros = String((ms % 1000) * 1000 + extraMicros).padStart(6, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}.${micros}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Values stored in a column, as SQL text (null for NULL). */
function storedValue(column: string, type: string, table: RealtimeTable, isNullable: boolean): fc.Arbitrary<string | null> {
  const orNull = (arbitrary: fc.Arbitrary<string>): fc.Arbitrary<string | null> => (isNullable ? fc.option(arbitrary, { freq: 5, nil: null }) : arbitrary);
  if (column === 'user_email') return fc.constantFrom('ann@example.com', 'bob@example.com', 'B', 'null');
  if (column === 'line_number' && table === 'active_calls') return fc.constantFrom('1', '2', '3');
  if (column === 'live_lines') return fc.constantFrom('0', '1', '3');
  // A live session: its checks tie paused_at, stopped_at, stop_reason and the connection to its status.
  if (table === 'dialer_sessions') {
    if (column === 'status') return fc.constant('active');
    if (column === 'lines') return fc.constantFrom('1', '2', '3');
    if (['paused_at', 'stopped_at', 'stop_reason', 'connected_call_id'].includes(column)) return fc.constant(null);
    if (['dialed', 'connected', 'voicemail', 'abandoned', 'skipped'].includes(column)) return fc.constantFrom('0', '1', '9');
  }
  if (column === 'status') return fc.constantFrom(...(table === 'leads' ? ['new', 'callback'] : ['dialing', 'completed']));
  const checked = CHECKED_TEXT[column];
  if (checked) return orNull(fc.constantFrom(...checked));
  switch (type) {
    case 'uuid':
      return orNull(fc.constantFrom(...UUIDS));
    case 'text':
      return orNull(fc.constantFrom(...TEXTS));
    case 'int4':
    case 'int8':
      return orNull(fc.constantFrom(...INTEGERS).map(String));
    case 'bool':
      return orNull(fc.boolean().map(String));
    case 'timestamptz':
      return orNull(fc.oneof(fc.tuple(fc.constantFrom(...INSTANTS_MS), fc.constantFrom(0, 1, 999)).map(([ms, micros]) => timestampText(ms, micros, 0, 'T')), fc.constant('infinity')));
    case 'jsonb':
      return orNull(fc.constantFrom('{}', '{"a": 1}'));
    default:
      throw new Error(`no generator for ${type}`);
  }
}

/** Filter values for a column's type, in the many spellings Postgres reads, and some it refuses. */
function filterValue(type: string): fc.Arbitrary<string> {
  const garbage = fc.constantFrom('', 'abc', '1.5', 'null', ' ', '2026-02-30T00:00:00Z', '0x1A', '99999999999');
  const typed = (() => {
    switch (type) {
      case 'uuid':
        return fc.tuple(fc.constantFrom(...UUIDS), fc.constantFrom('lower', 'upper', 'braces', 'bare')).map(([id, form]) =>
          form === 'upper' ? id.toUpperCase() : form === 'braces' ? `{${id}}` : form === 'bare' ? id.replaceAll('-', '') : id,
        );
      case 'text':
        return fc.oneof(fc.constantFrom(...TEXTS, ...PHONES, 'mock', 'new', 'ann@example.com', 'Ann'), fc.string({ maxLength: 3 }));
      case 'int4':
      case 'int8':
        return fc.oneof(fc.constantFrom(...INTEGERS).map(String), fc.constantFrom(' 7', '+3', '007', '-0', '2147483648', '9223372036854775807'));
      case 'bool':
        return fc.constantFrom('t', 'true', 'YES', 'on', '1', 'f', 'FALSE', 'of', 'n', '0', ' no ', 'o', 'maybe');
      case 'timestamptz':
        return fc.oneof(
          fc.tuple(fc.constantFrom(...INSTANTS_MS), fc.constantFrom(0, 1, 999), fc.constantFrom(...OFFSETS_MINUTES), fc.constantFrom('T' as const, ' ' as const)).map(
            ([ms, micros, offset, separator]) => timestampText(ms, micros, offset, separator),
          ),
          fc.constantFrom('infinity', '-infinity', 'epoch', '2026-01-01T00:00:00Z', '2026-01-01', 'yesterday'),
        );
      default:
        return fc.constantFrom('{}', '{"a": 1}');
    }
  })();
  return fc.oneof({ arbitrary: typed, weight: 6 }, { arbitrary: garbage, weight: 1 });
}

/** An in-list element as a client writes it: bare when it can be, else double-quoted with escapes. */
function listElement(value: string): string {
  return /^[^,()"\\ \t][^,()]*$/.test(value) ? value : `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function filterExpression(type: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(fc.constantFrom('eq', 'neq', 'lt', 'lte', 'gt', 'gte'), filterValue(type)).map(([op, value]) => `${op}.${value}`),
    fc.array(filterValue(type), { maxLength: 4 }).map((values) => `in.(${values.map(listElement).join(',')})`),
    fc.constantFrom('is.null', 'is.NULL', 'is.not_null', 'is.true', 'is.false', 'is.unknown'),
  );
}

describe.each(DATABASE_KINDS)('realtime filters keep exactly the rows REST returns, on %s', (kind) => {
  let testDb: TestDatabase;
  let tokens: TokenService;
  let rest: Hono;
  let catalog: RealtimeCatalog;
  let nullable: Set<string>;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    tokens = await createTokenService(TEST_JWT_SECRET);
    rest = createRestRoutes({ db: testDb.db, tokens });
    catalog = await loadRealtimeCatalog(testDb.db);
    const columns = await testDb.db.query<{ name: string }>(
      `select table_name || '.' || column_name as name from information_schema.columns where table_schema = 'public' and is_nullable = 'YES'`,
    );
    nullable = new Set(columns.map(({ name }) => name));
    // Rows are written as the table owner with no triggers or foreign keys, so any row the
    // checks allow can be stored: the property is about reading, not about how calls are written.
    for (const table of REALTIME_TABLES) await testDb.db.exec(`alter table ${table} disable trigger all`);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  async function storeRows(table: RealtimeTable, rows: readonly Record<string, string | null>[]): Promise<void> {
    const columns = catalog.get(table) ?? new Map<string, string>();
    await testDb.db.exec(`delete from ${table}`);
    for (const row of rows) {
      const names = Object.keys(row);
      const casts = names.map((name, index) => `$${index + 1}::text::${columns.get(name) ?? 'text'}`);
      // A row a check or a unique key refuses is left out.
      await testDb.db.query(`insert into ${table} (${names.join(', ')}) values (${casts.join(', ')})`, names.map((name) => row[name])).catch(() => undefined);
    }
  }

  async function compareOnce(table: RealtimeTable, column: string, expression: string): Promise<'compared' | 'unsupported'> {
    const columns = catalog.get(table) ?? new Map<string, string>();
    const keyOf = (row: Record<string, unknown>) => JSON.stringify(KEY_COLUMNS[table].map((key) => row[key]));
    const response = await rest.request(`/${table}?${new URLSearchParams([['select', KEY_COLUMNS[table].join(',')], [column, expression]]).toString()}`, {
      headers: { Authorization: `Bearer ${tokens.serviceRoleKey}` },
    });
    const body = (await response.json()) as unknown;
    const realtime = parseRowFilter(`${column}=${expression}`, columns);
    if (!realtime.ok) {
      if (realtime.fault === 'unsupported') return 'unsupported';
      expect(response.status, `REST took ${column}=${expression}, realtime refused it: ${realtime.reason}`).toBeGreaterThanOrEqual(400);
      return 'compared';
    }
    expect(response.status, `realtime took ${column}=${expression}, REST answered ${JSON.stringify(body)}`).toBe(200);
    const stored = await testDb.db.query<{ row: string }>(`select to_jsonb(t)::text as row from ${table} t`);
    const kept = stored.map(({ row }) => JSON.parse(row) as Record<string, unknown>).filter((row) => matchesFilter(realtime.filter, row));
    expect(kept.map(keyOf).sort(), `${column}=${expression}`).toEqual((body as Record<string, unknown>[]).map(keyOf).sort());
    return 'compared';
  }

  it.each(REALTIME_TABLES)('%s: any filter keeps the same rows in realtime as through REST (seeded property)', async (table) => {
    const columns = [...(catalog.get(table) ?? new Map<string, string>())];
    const row = fc.record(Object.fromEntries(columns.map(([name, type]) => [name, storedValue(name, type, table, nullable.has(`${table}.${name}`))])));
    const filter = fc.constantFrom(...columns).chain(([name, type]) => filterExpression(type).map((expression) => ({ column: name, expression })));
    let unsupported = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 6 }), filter, async (rows, { column, expression }) => {
        await storeRows(table, rows);
        if ((await compareOnce(table, column, expression)) === 'unsupported') unsupported++;
      }),
      { seed: 20260615, numRuns: 200, endOnFailure: true },
    );
    // Most filters are compared, not set aside.
    expect(unsupported).toBeLessThan(60);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_STATUSES, isTerminal, STATUS_SOURCES } from '../src/core/call-status.js';
import { DISPOSITIONS, E164_PATTERN, LEAD_STATUSES, LINE_NUMBERS, PROVIDERS, VOICEMAIL_ACTIONS } from '../src/core/rows.js';
import { REP_STATES, ROLES } from '../src/core/workspace.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';

const LIVE_STATUSES = CALL_STATUSES.filter((status) => !isTerminal(status));

/** The quoted words of a constraint or index definition, as a sorted set. */
const wordsOf = (definition: string) => [...new Set([...definition.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? ''))].sort();

/**
 * Each word once: every vocabulary that both TypeScript (src/core) and SQL spell is held together
 * here, as the call statuses are by test/call-status-machine.test.ts.
 */
describe.each(DATABASE_KINDS)('each vocabulary is the same in src/core and in the database on %s', (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  async function constraintOf(table: string, column: string): Promise<string> {
    const rows = await testDb.db.sql<{ definition: string }>`
      select pg_get_constraintdef(c.oid) as definition from pg_constraint c
      join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'public' and t.relname = ${table} and c.contype = 'c'
        and pg_get_constraintdef(c.oid) like ${`%${column}%`}`;
    expect(rows, `${table}.${column} has one check constraint`).toHaveLength(1);
    return rows[0]?.definition ?? '';
  }

  it.each([
    ['leads', 'status', LEAD_STATUSES],
    ['call_logs', 'disposition', DISPOSITIONS],
    ['active_calls', 'status_source', STATUS_SOURCES],
    ['active_calls', 'provider', PROVIDERS],
    ['dialer_settings', 'voicemail_action', VOICEMAIL_ACTIONS],
    ['lead_lists', 'voicemail_action', VOICEMAIL_ACTIONS],
    ['workspace_members', 'role', ROLES],
    ['workspace_invitations', 'role', ROLES],
    ['rep_states', 'state', REP_STATES],
  ] as const)('%s.%s allows exactly the words of src/core', async (table, column, words) => {
    expect(wordsOf(await constraintOf(table, column))).toEqual([...words].sort());
  });

  it('the live statuses of the one-call-per-line index and of the live-call index are the non-terminal statuses', async () => {
    const indexes = await testDb.db.sql<{ name: string; definition: string }>`
      select indexname::text as name, indexdef as definition from pg_indexes
      where schemaname = 'public' and indexname in ('active_calls_one_live_call_per_line', 'active_calls_live')`;
    expect(indexes).toHaveLength(2);
    for (const index of indexes) expect(wordsOf(index.definition), index.name).toEqual([...LIVE_STATUSES].sort());
  });

  it('every stored phone number is checked with the E.164 pattern of src/core', async () => {
    const columns = [
      ['leads', 'phone'],
      ['active_calls', 'to_number'],
      ['dialer_settings', 'caller_id'],
      ['dialer_settings', 'forward_to_number'],
      ['do_not_call_numbers', 'phone_number'],
      ['lead_lists', 'caller_id'],
    ] as const;
    for (const [table, column] of columns) {
      expect(wordsOf(await constraintOf(table, column)), `${table}.${column}`).toEqual([E164_PATTERN.source]);
    }
  });

  it('the line range is the line numbers of src/core', async () => {
    const definition = await constraintOf('active_calls', 'line_number');
    const [, low, high] = /line_number >= (\d+)\) AND \(line_number <= (\d+)/.exec(definition) ?? [];
    expect([Number(low), Number(high)]).toEqual([Math.min(...LINE_NUMBERS), Math.max(...LINE_NUMBERS)]);
    expect(LINE_NUMBERS).toEqual([1, 2, 3]);
  });
});

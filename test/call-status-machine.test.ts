import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_STATUSES, CALL_TRANSITIONS, canTransition, isTerminal, type CallStatus } from '../src/core/call-status.js';
import type { Database } from '../src/db/database.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { ensureMember } from './support/members.js';

/** Every status is one legal move from dialing, so one update puts a row in any state. */
function pathTo(status: CallStatus): CallStatus[] {
  return status === 'dialing' ? [] : [status];
}

async function insertCall(db: Database, userEmail: string, line: number): Promise<string> {
  await ensureMember(db, userEmail);
  const [row] = await db.sql<{ id: string }>`
    insert into active_calls (user_email, line_number, to_number, call_sid, is_mock, provider)
    values (${userEmail}, ${line}, '+14155550100', ${`CA${crypto.randomUUID().replaceAll('-', '')}`}, true, 'mock')
    returning id`;
  if (!row) throw new Error('insert returned nothing');
  return row.id;
}

async function statusOf(db: Database, id: string): Promise<CallStatus> {
  const [row] = await db.sql<{ status: CallStatus }>`select status from active_calls where id = ${id}`;
  if (!row) throw new Error(`no call ${id}`);
  return row.status;
}

describe.each(DATABASE_KINDS)('call status machine on %s', (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('ST3 the database transition table is the TypeScript one', async () => {
    const rows = await testDb.db.sql<{ from_status: CallStatus; to_status: CallStatus }>`
      select from_status, to_status from call_status_transitions order by 1, 2`;
    const fromDb = rows.map((r) => `${r.from_status}>${r.to_status}`).sort();
    const fromTs = CALL_STATUSES.flatMap((from) => CALL_TRANSITIONS[from].map((to) => `${from}>${to}`)).sort();
    expect(fromDb).toEqual(fromTs);
    const terminal = await testDb.db.sql<{ status: CallStatus; is_terminal: boolean; by_function: boolean }>`
      select status, is_terminal, dialer_is_terminal(status) as by_function from call_statuses`;
    expect(terminal.map((r) => [r.status, r.is_terminal]).sort()).toEqual(CALL_STATUSES.map((s) => [s, isTerminal(s)]).sort());
    expect(terminal.map((r) => [r.status, r.by_function]).sort()).toEqual(CALL_STATUSES.map((s) => [s, isTerminal(s)]).sort());
  });

  it('ST1 ST2 ST3 every (from, to) pair: the database applies exactly the legal moves', async () => {
    const { db } = testDb;
    let line = 0;
    for (const from of CALL_STATUSES) {
      for (const to of CALL_STATUSES) {
        // Each pair gets its own user so the one-live-call-per-line rule never interferes.
        const id = await insertCall(db, `pair-${line++}@example.com`, 1);
        for (const step of pathTo(from)) await db.sql`update active_calls set status = ${step} where id = ${id}`;
        expect(await statusOf(db, id)).toBe(from);
        await db.sql`update active_calls set status = ${to}, status_source = 'system' where id = ${id}`;
        const expected = from === to || canTransition(from, to) ? to : from;
        expect(await statusOf(db, id), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('ST2 a terminal row keeps its outcome and timeline but still takes a late recording', async () => {
    const { db } = testDb;
    const id = await insertCall(db, 'late@example.com', 2);
    await db.sql`update active_calls set status = 'in-progress' where id = ${id}`;
    await db.sql`update active_calls set status = 'completed' where id = ${id}`;
    const [before] = await db.sql<{ ended_at: Date }>`select ended_at from active_calls where id = ${id}`;
    await db.sql`update active_calls set status = 'ringing', ended_at = now() + interval '1 hour' where id = ${id}`;
    await db.sql`update active_calls set ended_at = now() + interval '1 hour', recording_url = 'https://rec.example/1' where id = ${id}`;
    const [after] = await db.sql<{ status: string; ended_at: Date; recording_url: string }>`
      select status, ended_at, recording_url from active_calls where id = ${id}`;
    expect(after?.status).toBe('completed');
    expect(after?.ended_at.getTime()).toBe(before?.ended_at.getTime());
    expect(after?.recording_url).toBe('https://rec.example/1');
    const [log] = await db.sql<{ recording_url: string }>`select recording_url from call_logs where active_call_id = ${id}`;
    expect(log?.recording_url).toBe('https://rec.example/1');
  });

  it('a call must start as dialing, and the seed words connected/ended are accepted', async () => {
    const { db } = testDb;
    await ensureMember(db, 'x@example.com');
    await expect(
      db.sql`insert into active_calls (user_email, line_number, to_number, status) values ('x@example.com', 1, '+14155550100', 'completed')`,
    ).rejects.toThrow(/starts as dialing/);
    const id = await insertCall(db, 'alias@example.com', 1);
    await db.sql`update active_calls set status = 'connected' where id = ${id}`;
    expect(await statusOf(db, id)).toBe('in-progress');
    await db.sql`update active_calls set status = 'ended' where id = ${id}`;
    expect(await statusOf(db, id)).toBe('completed');
  });

  it('one live call per line per user', async () => {
    const { db } = testDb;
    await insertCall(db, 'lines@example.com', 3);
    await expect(insertCall(db, 'lines@example.com', 3)).rejects.toThrow(/active_calls_one_live_call_per_line/);
  });
});

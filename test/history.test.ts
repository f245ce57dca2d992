import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../src/core/call-status.js';
import type { Database } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { insertLead, insertTwilioCall } from './support/calls.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';

const newCall = (db: Database, userEmail: string, leadId: string | null = null) => insertTwilioCall(db, { userEmail, leadId });

async function historyOf(db: Database, callId: string, userEmail: string, leadId: string) {
  const logs = await db.sql<{ outcome: string }>`select outcome from call_logs where active_call_id = ${callId}`;
  const [stats] = await db.sql<{ calls_made: number }>`select calls_made from user_stats where user_email = ${userEmail}`;
  const [lead] = await db.sql<{ attempts: number }>`select attempts from leads where id = ${leadId}`;
  return { logs, callsMade: stats?.calls_made, attempts: lead?.attempts };
}

describe.each(DATABASE_KINDS)('HI1 history is written once per call on %s', (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('HI1 repeating the final update writes no second history row', async () => {
    const { db } = testDb;
    const email = 'repeat@example.com';
    const leadId = await insertLead(db, email);
    const call = await newCall(db, email, leadId);
    await db.sql`update active_calls set status = 'in-progress' where id = ${call.id}`;
    for (let i = 0; i < 3; i++) await db.sql`update active_calls set status = 'completed', status_source = 'webhook' where id = ${call.id}`;
    await db.sql`update active_calls set status = 'failed' where id = ${call.id}`;
    expect(await historyOf(db, call.id, email, leadId)).toEqual({ logs: [{ outcome: 'completed' }], callsMade: 1, attempts: 1 });
  });

  it('HI1 racing final updates from separate connections: one wins, one history row', async () => {
    const { db } = testDb;
    const email = 'race@example.com';
    const leadId = await insertLead(db, email);
    // On PostgreSQL each racer gets its own connection; PGlite has one and serialises them.
    const racers: Database[] = testDb.url ? TERMINAL_STATUSES.map(() => openPostgres(testDb.url ?? '', { max: 1 })) : TERMINAL_STATUSES.map(() => db);
    try {
      for (let round = 0; round < 5; round++) {
        const call = await newCall(db, email, leadId);
        await db.sql`update active_calls set status = 'ringing' where id = ${call.id}`;
        await Promise.all(
          TERMINAL_STATUSES.map((status, i) =>
            (racers[i] ?? db).transaction(async (tx) => {
              await tx.sql`select pg_sleep(0.01)`;
              await tx.sql`update active_calls set status = ${status}, status_source = 'webhook' where id = ${call.id}`;
            }),
          ),
        );
        const [final] = await db.sql<{ status: string }>`select status from active_calls where id = ${call.id}`;
        const logs = await db.sql<{ outcome: string }>`select outcome from call_logs where active_call_id = ${call.id}`;
        expect(logs).toEqual([{ outcome: final?.status }]);
      }
      const history = await db.sql<{ n: number }>`select count(*)::int as n from call_logs where user_email = ${email}`;
      const [stats] = await db.sql<{ calls_made: number }>`select calls_made from user_stats where user_email = ${email}`;
      const [lead] = await db.sql<{ attempts: number }>`select attempts from leads where id = ${leadId}`;
      expect({ history: history[0]?.n, callsMade: stats?.calls_made, attempts: lead?.attempts }).toEqual({ history: 5, callsMade: 5, attempts: 5 });
    } finally {
      if (testDb.url) await Promise.all(racers.map((racer) => racer.close()));
    }
  });

  it('HI1 the final status, history, lead and stats commit together or not at all', async () => {
    const { db } = testDb;
    const email = 'atomic@example.com';
    const leadId = await insertLead(db, email);
    const call = await newCall(db, email, leadId);
    await expect(
      db.transaction(async (tx) => {
        await tx.sql`update active_calls set status = 'busy' where id = ${call.id}`;
        throw new Error('crash after the final update');
      }),
    ).rejects.toThrow(/crash/);
    const [row] = await db.sql<{ status: string }>`select status from active_calls where id = ${call.id}`;
    expect(row?.status).toBe('dialing');
    expect(await historyOf(db, call.id, email, leadId)).toEqual({ logs: [], callsMade: undefined, attempts: 0 });
  });
});

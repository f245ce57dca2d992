import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '../src/db/database.js';
import { insertLead } from './support/calls.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';

/** Runs `work` as PostgREST would for a signed-in user: role authenticated, claims set. */
function asUser<T>(db: Database, email: string, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.sql`select set_config('request.jwt.claims', ${JSON.stringify({ email, role: 'authenticated', sub: crypto.randomUUID() })}, true)`;
    await tx.exec('set local role authenticated');
    return work(tx);
  });
}

describe.each(DATABASE_KINDS)('AU1 row-level security on %s', (kind) => {
  let testDb: TestDatabase;
  const alice = 'alice@example.com';
  const bob = 'bob@example.com';
  let aliceCall: string;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    const { db } = testDb;
    await insertLead(db, alice, 'Alice lead');
    await insertLead(db, bob, 'Bob lead');
    const [call] = await db.sql<{ id: string }>`
      insert into active_calls (user_email, line_number, to_number, call_sid) values (${alice}, 1, '+14155550160', 'CA-alice') returning id`;
    aliceCall = call?.id ?? '';
    await db.sql`insert into dialer_settings (user_email) values (${alice}), (${bob})`;
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('AU1 a user reads only their own calls, leads and settings', async () => {
    const { db } = testDb;
    const bobSees = await asUser(db, bob, async (tx) => ({
      calls: await tx.sql`select id from active_calls`,
      leads: (await tx.sql<{ name: string }>`select name from leads`).map((l) => l.name),
      settings: (await tx.sql<{ user_email: string }>`select user_email from dialer_settings`).map((s) => s.user_email),
    }));
    expect(bobSees).toEqual({ calls: [], leads: ['Bob lead'], settings: [bob] });
    const aliceSees = await asUser(db, alice, (tx) => tx.sql`select id from active_calls`);
    expect(aliceSees).toEqual([{ id: aliceCall }]);
  });

  it('AU1 a user cannot change or take another user’s rows', async () => {
    const { db } = testDb;
    const renamed = await asUser(db, bob, (tx) => tx.sql`update leads set name = 'Taken' where user_email = ${alice} returning id`);
    expect(renamed).toEqual([]);
    await expect(asUser(db, bob, (tx) => tx.sql`insert into leads (user_email, name, phone) values (${alice}, 'Planted', '+14155550161')`)).rejects.toThrow(
      /row-level security/,
    );
    await expect(asUser(db, bob, (tx) => tx.sql`update leads set user_email = ${bob} where user_email = ${alice} returning id`)).rejects.toThrow(/permission denied/);
    const [row] = await db.sql<{ status: string }>`select status from active_calls where id = ${aliceCall}`;
    expect(row?.status).toBe('dialing');
  });

  it('AU1 users cannot insert calls, write history or read provider logs directly', async () => {
    const { db } = testDb;
    await expect(
      asUser(db, alice, (tx) => tx.sql`insert into active_calls (user_email, line_number, to_number) values (${alice}, 2, '+14155550162')`),
    ).rejects.toThrow(/permission denied/);
    await expect(asUser(db, alice, (tx) => tx.sql`insert into call_logs (user_email, outcome) values (${alice}, 'completed')`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asUser(db, alice, (tx) => tx.sql`select * from twilio_call_logs`)).rejects.toThrow(/permission denied/);
    await expect(asUser(db, alice, (tx) => tx.sql`select * from auth.users`)).rejects.toThrow(/permission denied/);
  });

  it('TR1 a user cannot end, rewrite or delete even their own call through SQL; no history is written', async () => {
    const { db } = testDb;
    await expect(asUser(db, alice, (tx) => tx.sql`update active_calls set status = 'canceled', status_source = 'manual' where id = ${aliceCall}`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asUser(db, alice, (tx) => tx.sql`delete from active_calls where id = ${aliceCall}`)).rejects.toThrow(/permission denied/);
    const [row] = await db.sql<{ status: string }>`select status from active_calls where id = ${aliceCall}`;
    expect(row?.status).toBe('dialing');
    expect(await db.sql`select outcome from call_logs`).toEqual([]);
  });
});

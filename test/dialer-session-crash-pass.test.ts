import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESERVATION_SECONDS } from '../src/core/dialer-session.js';
import { RUNNER_LEASE_SECONDS } from '../src/core/dialer-session-runner.js';
import { ok } from '../src/core/errors.js';
import { updateCallStatus } from '../src/db/active-calls.js';
import type { Database } from '../src/db/database.js';
import { createDialerSessionRunner } from '../src/db/dialer-session-runner.js';
import { resumeDialerSession, startDialerSession, type DialerSessionRow } from '../src/db/dialer-sessions.js';
import type { Clock, TelephonyProvider } from '../src/telephony/provider.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { nextPermissiveInstant } from './support/dial-clock.js';
import { addMember } from './support/members.js';
import { findSettledViolations } from './support/session-invariants.js';

/**
 * Crash safety of one pass (issue 14; PD2): a server killed after a pass reserved its next leads
 * and before it dialed them. The reservations are all it leaves; another server takes the session
 * over once the lease lapses (pausing it `server_lost`), and the rep resumes it. No lead may stay
 * reserved past RESERVATION_SECONDS and a lease, and the resumed session must dial every lead of
 * its list. The killed process is a runner whose database access fails from the moment the
 * reservation commits; the clock is the test's.
 */
describe.each(DATABASE_KINDS)('PD2 a pass killed between reserving and dialing on %s', (kind) => {
  let testDb: TestDatabase;
  const logger = pino({ level: 'silent' });
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('its reservations are released and the resumed session dials every lead once', async () => {
    const { db } = testDb;
    const startMs = Date.now();
    let nowMs = startMs;
    const clock: Clock = { now: () => nowMs, schedule: () => () => {} };
    const gateStart = nextPermissiveInstant(startMs);
    const gateNow = () => gateStart + (nowMs - startMs);
    // Every call is busy at once: the session moves through its list without anybody to talk to.
    const provider: TelephonyProvider = {
      async placeCall(call) {
        await updateCallStatus(db, call.id, { status: 'busy', statusSource: 'mock', endedAt: new Date(nowMs) });
        return ok(call);
      },
      async endCall() {},
      async recoverUnfinishedCalls() {},
      stop() {},
    };
    const admin = await addMember(db);
    const email = (await addMember(db, undefined, { workspaceId: admin.workspace_id, role: 'rep' })).user_email;
    await db.sql`insert into dialer_settings (user_email, use_mock_dialer) values (${email}, true) on conflict (user_email) do update set use_mock_dialer = true`;
    const [list] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${admin.user_email}, 'Killed pass') returning id`;
    if (!list) throw new Error('list insert returned nothing');
    for (let i = 0; i < 5; i++) {
      await db.sql`
        insert into leads (user_email, name, phone, list_id, created_at)
        values (${admin.user_email}, ${`Lead ${i}`}, ${`+1415559${String(i).padStart(4, '0')}`}, ${list.id}, ${new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()}::timestamptz)`;
    }
    const owner = { workspaceId: admin.workspace_id, email };
    const started = await startDialerSession(db, owner, { listId: list.id, lines: 3, filter: {} }, new Date(nowMs));
    if (!started.ok) throw new Error(started.error.message);
    const sessionId = started.value.id;

    // The first server: killed as its reservation commits.
    let isKilled = false;
    const dying: Database = {
      ...db,
      kind: db.kind,
      query: async (text, params) => (isKilled ? Promise.reject(new Error('killed')) : db.query(text, params)),
      sql: async (strings, ...values) => (isKilled ? Promise.reject(new Error('killed')) : db.sql(strings, ...values)),
      exec: (script) => db.exec(script),
      listen: (channel, onPayload) => db.listen(channel, onPayload),
      close: async () => {},
      async transaction(work) {
        if (isKilled) throw new Error('killed');
        const result: unknown = await db.transaction(work);
        if (Array.isArray(result) && typeof (result[0] as { leadId?: unknown } | undefined)?.leadId === 'string') isKilled = true;
        return result as never;
      },
    };
    await createDialerSessionRunner({ db: dying, mock: provider, clock, gateNow, logger, instanceId: 'killed' })
      .runPass()
      .catch(() => {});
    expect(isKilled).toBe(true);
    const orphans = (await db.sql<{ lead_id: string }>`select lead_id from lead_reservations where session_id = ${sessionId}`).map((row) => row.lead_id);
    expect(orphans).toHaveLength(3);
    expect(await db.sql`select id from active_calls where session_id = ${sessionId}`).toHaveLength(0);

    // The second server takes over once the lease lapses, and runs passes while the rep is away.
    const second = createDialerSessionRunner({ db, mock: provider, clock, gateNow, logger, instanceId: 'second' });
    nowMs += (RUNNER_LEASE_SECONDS + 1) * 1000;
    await second.runPass();
    const [paused] = await db.sql<DialerSessionRow & { pause_reason: string | null }>`select * from dialer_sessions where id = ${sessionId}`;
    expect(paused).toMatchObject({ status: 'paused', pause_reason: 'server_lost', runner_id: 'second' });
    for (let seconds = 0; seconds <= RESERVATION_SECONDS + RUNNER_LEASE_SECONDS; seconds += 5) {
      nowMs += 5_000;
      await second.runPass();
    }
    const held = await db.sql<{ lead_id: string }>`select lead_id from lead_reservations where session_id = ${sessionId}`;
    expect.soft(held.map((row) => row.lead_id), 'the killed pass\'s reservations are released').toEqual([]);

    // The rep returns and resumes: the session dials each of its five leads once, and ends.
    expect((await resumeDialerSession(db, owner, sessionId, new Date(nowMs))).ok).toBe(true);
    for (let pass = 0; pass < 40; pass++) {
      nowMs += 1_000;
      await second.runPass();
      const [row] = await db.sql<{ status: string }>`select status from dialer_sessions where id = ${sessionId}`;
      if (row?.status === 'stopped') break;
    }
    await second.stop();
    expect(await findSettledViolations(db, [sessionId])).toEqual([]);
    const [session] = await db.sql<DialerSessionRow>`select * from dialer_sessions where id = ${sessionId}`;
    expect(session?.stop_reason).toBe('queue_empty');
    const dialed = await db.sql<{ lead_id: string }>`select lead_id from active_calls where session_id = ${sessionId} order by lead_id`;
    expect(dialed.map((row) => row.lead_id).filter((id) => orphans.includes(id)), 'the leads the killed pass had reserved are dialed').toEqual([...orphans].sort());
    expect(session?.dialed).toBe(5);
  });
});

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_OUTCOMES, type MockConfigInput, type MockOutcome } from '../src/core/mock-timeline.js';
import { markAbandoned } from '../src/db/abandonment.js';
import { findCallById, updateCallStatus } from '../src/db/active-calls.js';
import type { Database } from '../src/db/database.js';
import { createDialerSessionRunner, type DialerSessionRunner } from '../src/db/dialer-session-runner.js';
import { saveDisposition } from '../src/db/dispositions.js';
import { recordCallFacts } from '../src/db/call-facts.js';
import { pauseDialerSession, reserveNextLeads, startDialerSession, stopDialerSession, type DialerSessionRow, type SessionOwner } from '../src/db/dialer-sessions.js';
import { openPostgres } from '../src/db/postgres.js';
import { endWrapUp } from '../src/db/rep-states.js';
import { createMockProvider } from '../src/telephony/mock/mock-provider.js';
import { systemClock, type TelephonyProvider } from '../src/telephony/provider.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { createTestDialClock } from './support/dial-clock.js';
import { addMember } from './support/members.js';

/**
 * The demo-mode session runner (issue 14): PD1 first human wins, PD2 no lead dialed by two lines
 * or reps at once, CG1 every session dial through the gate. Demo calls play in real time on short
 * timelines; a person talks until the test (the rep) hangs up, so every answered human is seen
 * while live. The runner is driven pass by pass (runPass); waits are bounded loops on the
 * database's state, never on elapsed time. On PostgreSQL the second rep's runner is a separate
 * pool, as a second server process would be.
 */
describe.each(DATABASE_KINDS)('power-dial session runner (demo mode) on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let otherDb: Database;
  let mock: TelephonyProvider;
  let workspaceId: string;
  const logger = pino({ level: 'silent' });
  const gateClock = createTestDialClock();
  const runners: DialerSessionRunner[] = [];
  let phoneCounter = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.db;
    otherDb = testDb.url ? openPostgres(testDb.url, { max: 4 }) : db;
    workspaceId = (await addMember(db)).workspace_id;
    mock = createMockProvider({ db, clock: systemClock, logger });
  });
  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    mock.stop();
    if (otherDb !== db) await otherDb.close();
    await testDb.dispose();
  });

  /** A runner; `aheadMs` runs its clock ahead of the database's (a pass as it would run that much later). */
  const runnerOn = (on: Database, instanceId: string, aheadMs = 0) => {
    const clock = aheadMs === 0 ? systemClock : { now: () => Date.now() + aheadMs, schedule: systemClock.schedule };
    const runner = createDialerSessionRunner({ db: on, mock, clock, gateNow: () => gateClock.now(), logger, instanceId });
    runners.push(runner);
    return runner;
  };

  /** Timelines of a few tenths of a second; a person talks for ten minutes unless the rep hangs up. */
  function demoConfig(weights: Partial<Record<MockOutcome, number>>, extra: Partial<MockConfigInput> = {}): MockConfigInput {
    return {
      dialSeconds: 0.02,
      ringSeconds: [0.05, 0.3],
      talkSeconds: [600, 600],
      amdSeconds: 0.05,
      outcomeWeights: Object.fromEntries(MOCK_OUTCOMES.map((outcome) => [outcome, weights[outcome] ?? 0])),
      ...extra,
    };
  }

  async function addRep(config: MockConfigInput, isDemo = true): Promise<SessionOwner> {
    const email = (await addMember(db, undefined, { workspaceId, role: 'rep' })).user_email;
    await db.sql`
      insert into dialer_settings (user_email, use_mock_dialer, default_amd, mock_config)
      values (${email}, ${isDemo}, true, ${JSON.stringify(config)}::text::jsonb)
      on conflict (user_email) do update set use_mock_dialer = excluded.use_mock_dialer, default_amd = true, mock_config = excluded.mock_config`;
    return { workspaceId, email };
  }

  async function createList(owner: SessionOwner, leads: number, fields: { maxAttemptsLifetime?: number } = {}): Promise<{ listId: string; leadIds: string[]; phones: string[] }> {
    const [list] = await db.sql<{ id: string }>`
      insert into lead_lists (user_email, name, max_attempts_lifetime)
      values (${owner.email}, ${`Runner list ${++phoneCounter}`}, ${fields.maxAttemptsLifetime ?? null}::integer) returning id`;
    if (!list) throw new Error('list insert returned nothing');
    const leadIds: string[] = [];
    const phones: string[] = [];
    for (let i = 0; i < leads; i++) {
      const phone = `+1415557${String(++phoneCounter).padStart(4, '0')}`;
      const [lead] = await db.sql<{ id: string }>`
        insert into leads (user_email, name, phone, list_id, created_at)
        values (${owner.email}, ${`Lead ${i}`}, ${phone}, ${list.id}, ${new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()}::timestamptz) returning id`;
      if (!lead) throw new Error('lead insert returned nothing');
      leadIds.push(lead.id);
      phones.push(phone);
    }
    return { listId: list.id, leadIds, phones };
  }

  async function start(owner: SessionOwner, listId: string, lines: number): Promise<string> {
    const started = await startDialerSession(db, owner, { listId, lines, filter: {} }, new Date());
    if (!started.ok) throw new Error(started.error.message);
    return started.value.id;
  }

  const sessionRow = async (sessionId: string) => {
    const [row] = await db.sql<DialerSessionRow>`select * from dialer_sessions where id = ${sessionId}`;
    if (!row) throw new Error(`no session ${sessionId}`);
    return row;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The rep hangs up their connected call and saves its disposition (ending the wrap-up). */
  async function repTurn(owner: SessionOwner, sessionId: string): Promise<void> {
    const { connected_call_id: callId } = await sessionRow(sessionId);
    if (!callId) return;
    const call = await findCallById(db, callId);
    if (call && ['dialing', 'ringing', 'in-progress'].includes(call.status)) {
      await mock.endCall(call);
      await updateCallStatus(db, callId, { status: 'completed', statusSource: 'manual', endedAt: new Date() });
    }
    await db.transaction((tx) => endWrapUp(tx, owner.email));
  }

  /** Passes (and the reps' turns) until every session has stopped; bounded, so a stuck session fails the test. */
  async function runUntilStopped(sessions: readonly { owner: SessionOwner; sessionId: string; runner: DialerSessionRunner }[]): Promise<void> {
    for (let pass = 0; pass < 3000; pass++) {
      await Promise.all(sessions.map(({ runner }) => runner.runPass()));
      for (const { owner, sessionId } of sessions) await repTurn(owner, sessionId);
      const rows = await Promise.all(sessions.map(({ sessionId }) => sessionRow(sessionId)));
      if (rows.every((row) => row.status === 'stopped')) {
        // Calls still ringing on a stopped session are settled by later passes: run until none is live.
        const [live] = await db.sql<{ count: number }>`
          select count(*)::int as count from active_calls where session_id = any(${sessions.map((s) => s.sessionId)}::text[]) and status in ('dialing', 'ringing', 'in-progress')`;
        const [unsettled] = await db.sql<{ count: number }>`
          select count(*)::int as count from dialer_session_leads where session_id = any(${sessions.map((s) => s.sessionId)}::uuid[]) and outcome = 'dialed' and settled_at is null`;
        if ((live?.count ?? 0) === 0 && (unsettled?.count ?? 0) === 0) return;
      }
      await sleep(20);
    }
    throw new Error('the sessions did not stop');
  }

  async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      if (await check()) return;
      await sleep(20);
    }
    throw new Error(`never happened: ${what}`);
  }

  /** Every call of the session: one history row; the counters match history; each lead dialed at most once. */
  async function expectCountersMatchHistory(sessionId: string, leadCount: number): Promise<DialerSessionRow> {
    const session = await sessionRow(sessionId);
    const calls = await db.sql<{ id: string; lead_id: string; logs: number; outcome: string | null; connected: boolean; abandoned: boolean; safe_harbor: boolean }>`
      select a.id, a.lead_id, count(c.id)::int as logs, max(c.outcome) as outcome,
        bool_or(a.connected_at is not null) as connected, bool_or(c.abandoned_at is not null) as abandoned, bool_or(c.safe_harbor_at is not null) as safe_harbor
      from active_calls a left join call_logs c on c.active_call_id = a.id
      where a.session_id = ${sessionId} group by a.id, a.lead_id`;
    expect(calls.every((call) => call.logs === 1)).toBe(true);
    expect(new Set(calls.map((call) => call.lead_id)).size).toBe(calls.length);
    const worked = await db.sql<{ outcome: string; count: number }>`
      select outcome, count(*)::int as count from dialer_session_leads where session_id = ${sessionId} group by outcome`;
    const count = (outcome: string) => worked.find((row) => row.outcome === outcome)?.count ?? 0;
    expect(count('dialed') + count('skipped')).toBe(leadCount);
    expect(session.dialed).toBe(calls.length);
    expect(session.dialed).toBe(count('dialed'));
    expect(session.skipped).toBe(count('skipped'));
    expect(session.connected).toBe(calls.filter((call) => call.connected).length);
    expect(session.abandoned).toBe(calls.filter((call) => call.abandoned).length);
    expect(calls.filter((call) => call.abandoned).every((call) => call.safe_harbor)).toBe(true);
    expect(session.voicemail).toBe(calls.filter((call) => call.outcome === 'voicemail_detected').length);
    return session;
  }

  const mixed = demoConfig({ completed: 3, voicemail_detected: 2, 'no-answer': 2, busy: 1 });

  it.each([1, 3])('PD2 HI1 a %i-line demo session runs its list to queue_empty: each lead dialed once, one history row per call, counters as history', async (lines) => {
    const owner = await addRep(mixed);
    const { listId } = await createList(owner, 8);
    const sessionId = await start(owner, listId, lines);
    await runUntilStopped([{ owner, sessionId, runner: runnerOn(db, `one-${lines}`) }]);
    const session = await expectCountersMatchHistory(sessionId, 8);
    expect(session).toMatchObject({ status: 'stopped', stop_reason: 'queue_empty', dialed: 8, skipped: 0, connected_call_id: null });
    const [held] = await db.sql<{ count: number }>`select count(*)::int as count from lead_reservations where session_id = ${sessionId}`;
    expect(held?.count).toBe(0);
    // No line beyond the session's lines was ever used.
    const used = await db.sql<{ line_number: number }>`select distinct line_number from active_calls where session_id = ${sessionId}`;
    expect(used.every((row) => row.line_number >= 1 && row.line_number <= lines)).toBe(true);
  });

  it('CG1 a lead on the do-not-call list and a lead over its attempt cap are skipped with their reasons; the others are dialed', async () => {
    const owner = await addRep(demoConfig({ busy: 1 }));
    const { listId, leadIds, phones } = await createList(owner, 4, { maxAttemptsLifetime: 1 });
    await db.sql`insert into do_not_call_numbers (user_email, phone_number) values (${owner.email}, ${phones[1] ?? ''})`;
    // One earlier attempt on lead 2: the list allows one in all.
    const [earlier] = await db.sql<{ id: string }>`
      insert into active_calls (user_email, lead_id, line_number, to_number, provider, is_mock, status_source)
      values (${owner.email}, ${leadIds[2] ?? null}, 1, ${phones[2] ?? ''}, 'mock', true, 'system') returning id`;
    await db.sql`update active_calls set status = 'canceled', status_source = 'system' where id = ${earlier?.id ?? null}`;

    const sessionId = await start(owner, listId, 2);
    await runUntilStopped([{ owner, sessionId, runner: runnerOn(db, 'skips') }]);
    const session = await expectCountersMatchHistory(sessionId, 4);
    expect(session).toMatchObject({ stop_reason: 'queue_empty', dialed: 2, skipped: 2, skipped_reasons: { do_not_call: 1, attempt_limit_reached: 1 } });
    const skips = await db.sql<{ lead_id: string; skip_reason: string }>`
      select lead_id, skip_reason from dialer_session_leads where session_id = ${sessionId} and outcome = 'skipped' order by skip_reason`;
    expect(skips).toEqual([
      { lead_id: leadIds[2], skip_reason: 'attempt_limit_reached' },
      { lead_id: leadIds[1], skip_reason: 'do_not_call' },
    ]);
  });

  it('PD1 two lines answered by people at once: exactly one is connected, the other hears the safe-harbor message, is abandoned and hung up', async () => {
    const owner = await addRep(demoConfig({ completed: 1 }, { ringSeconds: [0.1, 0.1] }));
    const { listId } = await createList(owner, 2);
    const sessionId = await start(owner, listId, 2);
    const runner = runnerOn(db, 'claim');
    await runner.runPass();
    const callIds = (await db.sql<{ id: string }>`select id from active_calls where session_id = ${sessionId}`).map((row) => row.id);
    expect(callIds).toHaveLength(2);
    await waitFor(async () => {
      const rows = await db.sql<{ status: string }>`select status from active_calls where session_id = ${sessionId}`;
      return rows.every((row) => row.status === 'in-progress');
    }, 'both lines answered');

    await runner.runPass();
    const session = await sessionRow(sessionId);
    expect(session).toMatchObject({ connected: 1, abandoned: 1 });
    expect(callIds).toContain(session.connected_call_id);
    const loserId = callIds.find((id) => id !== session.connected_call_id);
    const [loser] = await db.sql<{ status: string; abandoned_at: Date | null; safe_harbor_at: Date | null; connected_at: Date | null }>`
      select status, abandoned_at, safe_harbor_at, connected_at from active_calls where id = ${loserId ?? null}`;
    expect(loser).toMatchObject({ status: 'completed', connected_at: null });
    expect(loser?.abandoned_at).not.toBeNull();
    expect(loser?.safe_harbor_at).not.toBeNull();
    const [logged] = await db.sql<{ abandoned: boolean; safe_harbor: boolean }>`
      select abandoned_at is not null as abandoned, safe_harbor_at is not null as safe_harbor from call_logs where active_call_id = ${loserId ?? null}`;
    expect(logged).toEqual({ abandoned: true, safe_harbor: true });
    const [event] = await db.sql<{ count: number }>`select count(*)::int as count from compliance_events where call_id = ${loserId ?? null} and kind = 'abandoned'`;
    expect(event?.count).toBe(1);
    // The abandoned line leaves no wrap-up; the winner is still talking, so nothing new is dialed.
    await runner.runPass();
    expect(await db.sql`select id from active_calls where session_id = ${sessionId}`).toHaveLength(2);
    // The rep hangs up and saves the disposition: the connection is freed and the session ends.
    await runUntilStopped([{ owner, sessionId, runner }]);
    await expectCountersMatchHistory(sessionId, 2);
  });

  it('pausing stops new dials (the live line finishes); a pause between reserving and dialing places no call; stop releases reservations', async () => {
    const owner = await addRep(demoConfig({ 'no-answer': 1 }, { ringSeconds: [0.3, 0.3] }));
    const { listId } = await createList(owner, 4);
    const sessionId = await start(owner, listId, 1);
    const runner = runnerOn(db, 'pause');
    await runner.runPass();
    expect(await db.sql`select id from active_calls where session_id = ${sessionId}`).toHaveLength(1);
    expect((await pauseDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
    await waitFor(async () => (await db.sql`select id from active_calls where session_id = ${sessionId} and status = 'no-answer'`).length === 1, 'the live line finished');
    for (let pass = 0; pass < 5; pass++) await runner.runPass();
    expect(await db.sql`select id from active_calls where session_id = ${sessionId}`).toHaveLength(1);
    expect((await sessionRow(sessionId)).status).toBe('paused');

    // Resumed, and paused again by the rep right after the runner reserved its next lead.
    const resumed = await db.sql`update dialer_sessions set status = 'active', paused_at = null, pause_reason = null where id = ${sessionId} returning id`;
    expect(resumed).toHaveLength(1);
    let isArmed = true;
    const racing = new Proxy(db, {
      get(target, property, receiver) {
        if (property === 'transaction') {
          return async (work: Parameters<Database['transaction']>[0]) => {
            const result: unknown = await target.transaction(work);
            if (isArmed && Array.isArray(result) && result.length > 0 && typeof (result[0] as { leadId?: unknown }).leadId === 'string') {
              isArmed = false;
              expect((await pauseDialerSession(target, owner, sessionId, new Date())).ok).toBe(true);
            }
            return result;
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    await runnerOn(racing, 'pause').runPass();
    expect(isArmed).toBe(false);
    expect(await db.sql`select id from active_calls where session_id = ${sessionId}`).toHaveLength(1);

    // Reserved by hand (as a pass does), then stopped: nothing stays held, and no pass dials again.
    await db.sql`update dialer_sessions set status = 'active', paused_at = null, pause_reason = null where id = ${sessionId}`;
    expect(await db.transaction((tx) => reserveNextLeads(tx, sessionId, 2, new Date()))).toHaveLength(2);
    expect((await stopDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
    const [held] = await db.sql<{ count: number }>`select count(*)::int as count from lead_reservations where session_id = ${sessionId}`;
    expect(held?.count).toBe(0);
    await runner.runPass();
    expect(await db.sql`select id from active_calls where session_id = ${sessionId}`).toHaveLength(1);
    expect(await sessionRow(sessionId)).toMatchObject({ status: 'stopped', stop_reason: 'rep_stopped', dialed: 1 });
  });

  it('PD1 stopped while lines ring: nothing new is dialed, and a person answering afterwards hears the safe-harbor message, is abandoned and hung up', async () => {
    const owner = await addRep(demoConfig({ completed: 1 }, { ringSeconds: [0.3, 0.3] }));
    const { listId } = await createList(owner, 6);
    const sessionId = await start(owner, listId, 3);
    const runner = runnerOn(db, 'stop-ringing');
    await runner.runPass();
    expect(await db.sql`select id from active_calls where session_id = ${sessionId}`).toHaveLength(3);
    expect((await stopDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
    await waitFor(async () => (await db.sql`select id from active_calls where session_id = ${sessionId} and status = 'in-progress'`).length === 3, 'the three lines answered');
    await runUntilStopped([{ owner, sessionId, runner }]);
    const session = await expectCountersMatchHistory(sessionId, 3);
    expect(session).toMatchObject({ stop_reason: 'rep_stopped', dialed: 3, connected: 0, abandoned: 3, connected_call_id: null });
    expect(await db.sql`select id from active_calls where session_id = ${sessionId} and status <> 'completed'`).toHaveLength(0);
  });

  it('PD2 two reps on one list, each with 3 lines and a runner of their own, never dial the same lead at once (and, with a cap of one attempt, never twice)', async () => {
    const first = await addRep(mixed);
    const second = await addRep(mixed);
    const { listId, leadIds } = await createList(first, 10, { maxAttemptsLifetime: 1 });
    const sessions = [
      { owner: first, sessionId: await start(first, listId, 3), runner: runnerOn(db, 'rep-a') },
      { owner: second, sessionId: await start(second, listId, 3), runner: runnerOn(otherDb, 'rep-b') },
    ];
    // Each session driven by its own process: its runner holds the lease (as after its first pass).
    for (const [index, { sessionId }] of sessions.entries()) {
      await db.sql`update dialer_sessions set runner_id = ${index === 0 ? 'rep-a' : 'rep-b'}, runner_until = now() + interval '1 hour' where id = ${sessionId}`;
    }
    await runUntilStopped(sessions);
    const calls = await db.sql<{ lead_id: string; started_at: Date; ended_at: Date | null }>`
      select lead_id, started_at, ended_at from active_calls where session_id = any(${sessions.map((s) => s.sessionId)}::text[]) order by lead_id, started_at`;
    expect(new Set(calls.map((call) => call.lead_id)).size).toBe(calls.length);
    expect(calls).toHaveLength(leadIds.length);
    for (const { sessionId } of sessions) {
      const session = await expectCountersMatchHistory(sessionId, (await db.sql`select lead_id from dialer_session_leads where session_id = ${sessionId}`).length);
      expect(session.stop_reason).toBe('queue_empty');
      // A lead the other rep had already dialed is refused by the gate's cap, never dialed twice.
      expect(Object.keys(session.skipped_reasons).every((reason) => reason === 'attempt_limit_reached')).toBe(true);
    }
  });

  it('PD2 one server runs a session at a time: a second runner leaves a leased session alone, and takes it over once the lease is given up', async () => {
    const owner = await addRep(demoConfig({ 'no-answer': 1 }, { ringSeconds: [600, 600] }));
    const { listId } = await createList(owner, 3);
    const sessionId = await start(owner, listId, 1);
    const first = createDialerSessionRunner({ db, mock, clock: systemClock, gateNow: () => gateClock.now(), logger, instanceId: 'lease-a' });
    const second = runnerOn(otherDb, 'lease-b');
    await first.runPass();
    await second.runPass();
    expect(await sessionRow(sessionId)).toMatchObject({ runner_id: 'lease-a', dialed: 1 });
    await first.stop();
    expect((await sessionRow(sessionId)).runner_id).toBeNull();
    await second.runPass();
    expect(await sessionRow(sessionId)).toMatchObject({ runner_id: 'lease-b', dialed: 1 });
    expect((await stopDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
    for (const call of await db.sql<{ id: string }>`select id from active_calls where session_id = ${sessionId}`) {
      const row = await findCallById(db, call.id);
      if (row) await mock.endCall(row);
      await updateCallStatus(db, call.id, { status: 'canceled', statusSource: 'manual', endedAt: new Date() });
    }
    await second.runPass();
    await expectCountersMatchHistory(sessionId, 1);
  });

  it('a rep in Twilio mode on a server without Twilio credentials: the session dials nothing and says why', async () => {
    const owner = await addRep(mixed, false);
    const { listId } = await createList(owner, 2);
    const sessionId = await start(owner, listId, 1);
    await runnerOn(db, 'twilio').runPass();
    expect(await db.sql`select id from active_calls where session_id = ${sessionId}`).toHaveLength(0);
    const session = await sessionRow(sessionId);
    expect(session.status).toBe('active');
    expect(session.idle_reason).toMatch(/Twilio mode/);
    expect((await stopDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
  });

  /** Answers a session call as a person, as the simulator or Twilio's callbacks would. */
  async function answerAsPerson(callId: string): Promise<void> {
    const call = await findCallById(db, callId);
    if (call) await mock.endCall(call);
    await updateCallStatus(db, callId, { status: 'in-progress', statusSource: 'mock', answeredAt: new Date(), answeredBy: 'human' });
  }
  const callsOf = (sessionId: string) =>
    db.sql<{ id: string; line_number: number; status: string; abandoned_at: Date | null; line_released_at: Date | null; ringing_at: Date | null }>`
      select id, line_number, status, abandoned_at, line_released_at, ringing_at from active_calls where session_id = ${sessionId} order by line_number`;

  it('16 CFR 310.4(b)(4)(ii) once a line is connected, a line still ringing is hung up only after 15 s of ringing; one answered before that is a losing line', async () => {
    const owner = await addRep(demoConfig({ completed: 1 }, { ringSeconds: [600, 600] }));
    const { listId } = await createList(owner, 3);
    const sessionId = await start(owner, listId, 3);
    const runner = runnerOn(db, 'ring');
    await runner.runPass();
    await waitFor(async () => (await callsOf(sessionId)).every((call) => call.status === 'ringing' && call.ringing_at !== null), 'three lines ringing');
    const [one, two, three] = await callsOf(sessionId);
    if (!one || !two || !three) throw new Error('three calls expected');
    await answerAsPerson(one.id);
    await runner.runPass();
    expect((await sessionRow(sessionId)).connected_call_id).toBe(one.id);

    // 14 s into the ring: nothing is dropped. Line 2 answers meanwhile: it lost, hears the message, is abandoned.
    await runnerOn(db, 'ring', 14_000).runPass();
    expect((await callsOf(sessionId)).filter((call) => call.status === 'ringing')).toHaveLength(2);
    await answerAsPerson(two.id);
    await runnerOn(db, 'ring', 14_000).runPass();
    const afterAnswer = await callsOf(sessionId);
    expect(afterAnswer.find((call) => call.id === two.id)).toMatchObject({ status: 'completed' });
    expect(afterAnswer.find((call) => call.id === two.id)?.abandoned_at).not.toBeNull();
    expect(afterAnswer.find((call) => call.id === three.id)?.status).toBe('ringing');

    // 16 s: line 3, unanswered, is let go (canceled), once.
    await runnerOn(db, 'ring', 16_000).runPass();
    const dropped = (await callsOf(sessionId)).find((call) => call.id === three.id);
    expect(dropped?.status).toBe('canceled');
    expect(dropped?.line_released_at).not.toBeNull();
    expect(dropped?.abandoned_at).toBeNull();
    expect(await sessionRow(sessionId)).toMatchObject({ connected: 1, abandoned: 1, connected_call_id: one.id });
    await runner.runPass();
    expect((await sessionRow(sessionId)).dialed).toBe(3);
    await runUntilStopped([{ owner, sessionId, runner }]);
    await expectCountersMatchHistory(sessionId, 3);
  });

  it.each([
    ['leave', 'Hi, this is Acme returning your inquiry.', true],
    ['hangup', null, false],
  ] as const)("a machine after the beep: the list's voicemail action %s (message dropped: %s); never connected, counted as a voicemail", async (action, message, isDropped) => {
    const owner = await addRep(demoConfig({ voicemail_detected: 1 }, { ringSeconds: [0.05, 0.05] }));
    const { listId } = await createList(owner, 1);
    await db.sql`update lead_lists set voicemail_action = ${action}, voicemail_message = ${message} where id = ${listId}`;
    const sessionId = await start(owner, listId, 1);
    const runner = runnerOn(db, `machine-${action}`);
    await runner.runPass();
    const [call] = await callsOf(sessionId);
    if (!call) throw new Error('no call');
    await waitFor(async () => (await findCallById(db, call.id))?.answered_by === 'machine_end_beep', 'the machine verdict after the beep');
    // The machine records until someone acts: still live when the verdict lands.
    expect((await findCallById(db, call.id))?.status).toBe('in-progress');
    await runUntilStopped([{ owner, sessionId, runner }]);
    const [logged] = await db.sql<{ outcome: string; dropped: boolean; connected: boolean }>`
      select outcome, voicemail_dropped_at is not null as dropped, connected_at is not null as connected from call_logs where active_call_id = ${call.id}`;
    expect(logged).toEqual({ outcome: 'voicemail_detected', dropped: isDropped, connected: false });
    expect(await sessionRow(sessionId)).toMatchObject({ voicemail: 1, connected: 0, abandoned: 0, stop_reason: 'queue_empty' });
  });

  it("the list's wrap-up timer ends the rep's wrap-up and the session dials on; without a timer it waits for the rep", async () => {
    const owner = await addRep(demoConfig({ completed: 1 }, { ringSeconds: [0.05, 0.05] }));
    const { listId } = await createList(owner, 2);
    await db.sql`update lead_lists set wrap_up_seconds = 5 where id = ${listId}`;
    const sessionId = await start(owner, listId, 1);
    const runner = runnerOn(db, 'wrap');
    await runner.runPass();
    await waitFor(async () => (await callsOf(sessionId))[0]?.status === 'in-progress', 'the first lead answered');
    await runner.runPass();
    const { connected_call_id: callId } = await sessionRow(sessionId);
    if (!callId) throw new Error('nobody connected');
    const call = await findCallById(db, callId);
    if (call) await mock.endCall(call);
    await updateCallStatus(db, callId, { status: 'completed', statusSource: 'manual', endedAt: new Date() });
    await runner.runPass();
    expect((await sessionRow(sessionId)).wrap_up_until).not.toBeNull();
    const [state] = await db.sql<{ is_wrap_up: boolean }>`select is_wrap_up from rep_states where user_email = ${owner.email}`;
    expect(state?.is_wrap_up).toBe(true);
    // 4 s on: still writing up, nothing dialed.
    await runnerOn(db, 'wrap', 4_000).runPass();
    expect(await callsOf(sessionId)).toHaveLength(1);
    // 6 s on: the timer ran out; the wrap-up ends and the next lead is dialed.
    await runnerOn(db, 'wrap', 6_000).runPass();
    const [after] = await db.sql<{ is_wrap_up: boolean }>`select is_wrap_up from rep_states where user_email = ${owner.email}`;
    expect(after?.is_wrap_up).toBe(false);
    expect((await sessionRow(sessionId)).wrap_up_until).toBeNull();
    await runnerOn(db, 'wrap', 6_000).runPass();
    expect(await callsOf(sessionId)).toHaveLength(2);
    expect((await stopDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
    await runUntilStopped([{ owner, sessionId, runner }]);
  });

  it('a session whose server died (its lease ran out) is paused server_lost when another server takes it; one given up cleanly is not', async () => {
    const owner = await addRep(demoConfig({ 'no-answer': 1 }, { ringSeconds: [600, 600] }));
    const { listId } = await createList(owner, 3);
    const sessionId = await start(owner, listId, 1);
    const dead = createDialerSessionRunner({ db, mock, clock: systemClock, gateNow: () => gateClock.now(), logger, instanceId: 'lost-a' });
    await dead.runPass();
    expect(await sessionRow(sessionId)).toMatchObject({ runner_id: 'lost-a', dialed: 1 });
    // Within the lease another server leaves it alone; after it, the session is paused for the rep.
    await runnerOn(otherDb, 'lost-b', 5_000).runPass();
    expect(await sessionRow(sessionId)).toMatchObject({ runner_id: 'lost-a', status: 'active' });
    await runnerOn(otherDb, 'lost-c', 16_000).runPass();
    expect(await sessionRow(sessionId)).toMatchObject({ runner_id: 'lost-c', status: 'paused', pause_reason: 'server_lost', dialed: 1 });
    // The rep returns and resumes: it dials on.
    const { resumeDialerSession } = await import('../src/db/dialer-sessions.js');
    expect((await resumeDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
    expect(await sessionRow(sessionId)).toMatchObject({ status: 'active', pause_reason: null });
    expect((await stopDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
    for (const call of await callsOf(sessionId)) {
      const row = await findCallById(db, call.id);
      if (row) await mock.endCall(row);
      await updateCallStatus(db, call.id, { status: 'canceled', statusSource: 'manual', endedAt: new Date() });
    }
    await runnerOn(db, 'lost-d', 60_000).runPass();
  });

  it('PD2 reps sharing a list work it once between them: a lead called since the earliest live session began is not offered again, a due callback is', async () => {
    const first = await addRep(demoConfig({ 'no-answer': 1 }, { ringSeconds: [0.05, 0.05] }));
    const second = await addRep(demoConfig({ 'no-answer': 1 }, { ringSeconds: [0.05, 0.05] }));
    const { listId, leadIds } = await createList(first, 4);
    const firstSession = await start(first, listId, 2);
    const runner = runnerOn(db, 'pass-a');
    await runner.runPass();
    await waitFor(async () => (await callsOf(firstSession)).every((call) => call.status === 'no-answer'), 'the first two leads called');
    expect((await pauseDialerSession(db, first, firstSession, new Date())).ok).toBe(true);
    const secondSession = await start(second, listId, 3);
    const offered = await db.transaction((tx) => reserveNextLeads(tx, secondSession, 3, new Date()));
    expect(offered.map((lead) => lead.leadId)).toEqual([leadIds[2], leadIds[3]]);
    await db.sql`delete from lead_reservations where session_id = ${secondSession}`;
    // A callback set on lead 0 after its call, now due, is kept within the pass.
    await db.sql`update leads set callback_at = now() where id = ${leadIds[0] ?? null}`;
    const withCallback = await db.transaction((tx) => reserveNextLeads(tx, secondSession, 3, new Date(Date.now() + 1000)));
    expect(withCallback.map((lead) => lead.leadId)).toEqual([leadIds[0], leadIds[2], leadIds[3]]);
    for (const [owner, sessionId] of [[first, firstSession], [second, secondSession]] as const) expect((await stopDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
  });

  it("a winner the rep never took (the provider abandoned the bridged call) counts as abandoned, not connected", async () => {
    const owner = await addRep(demoConfig({ completed: 1 }, { ringSeconds: [0.05, 0.05] }));
    const { listId } = await createList(owner, 1);
    const sessionId = await start(owner, listId, 1);
    const runner = runnerOn(db, 'missed');
    await runner.runPass();
    await waitFor(async () => (await callsOf(sessionId))[0]?.status === 'in-progress', 'the lead answered');
    await runner.runPass();
    const { connected_call_id: callId } = await sessionRow(sessionId);
    if (!callId) throw new Error('nobody connected');
    expect((await sessionRow(sessionId)).connected).toBe(1);
    // As Twilio's dial result does when the rep's browser does not answer: abandoned, the message played, the call ends.
    const call = await findCallById(db, callId);
    if (call) await mock.endCall(call);
    await db.transaction((tx) => markAbandoned(tx, callId, new Date(), { reason: 'rep_unavailable', safeHarborAt: new Date() }));
    await updateCallStatus(db, callId, { status: 'completed', statusSource: 'system', endedAt: new Date() });
    await runUntilStopped([{ owner, sessionId, runner }]);
    const session = await expectCountersMatchHistory(sessionId, 1);
    expect(session).toMatchObject({ connected: 0, abandoned: 1, connected_call_id: null });
    const [state] = await db.sql<{ is_wrap_up: boolean }>`select is_wrap_up from rep_states where user_email = ${owner.email}`;
    expect(state?.is_wrap_up).toBe(false);
  });

  it("PD2 HI1 two reps work a list a manager owns once between them: each call updates the lead whoever owns it, and a rep's disposition reaches it", async () => {
    const manager = { workspaceId, email: (await addMember(db, undefined, { workspaceId, role: 'manager' })).user_email };
    const first = await addRep(demoConfig({ 'no-answer': 1 }, { ringSeconds: [0.05, 0.2] }));
    const second = await addRep(demoConfig({ 'no-answer': 1 }, { ringSeconds: [0.05, 0.2] }));
    const { listId, leadIds } = await createList(manager, 9);
    const sessions = [
      { owner: first, sessionId: await start(first, listId, 3), runner: runnerOn(db, 'shared-a') },
      { owner: second, sessionId: await start(second, listId, 3), runner: runnerOn(otherDb, 'shared-b') },
    ];
    for (const [index, { sessionId }] of sessions.entries()) {
      await db.sql`update dialer_sessions set runner_id = ${index === 0 ? 'shared-a' : 'shared-b'}, runner_until = now() + interval '1 hour' where id = ${sessionId}`;
    }
    await runUntilStopped(sessions);
    const calls = await db.sql<{ lead_id: string }>`select lead_id from active_calls where session_id = any(${sessions.map((x) => x.sessionId)}::text[])`;
    expect(calls).toHaveLength(leadIds.length);
    expect(new Set(calls.map((call) => call.lead_id)).size).toBe(leadIds.length);
    const leads = await db.sql<{ attempts: number; status: string; called: boolean }>`
      select attempts, status, last_called_at is not null as called from leads where id = any(${leadIds}::uuid[])`;
    expect(leads.every((lead) => lead.attempts === 1 && lead.status === 'no_answer' && lead.called)).toBe(true);
    // The first rep saves a disposition on a call to the manager's lead: the lead takes it.
    const [own] = await db.sql<{ id: string; lead_id: string }>`select id, lead_id from active_calls where session_id = ${sessions[0]?.sessionId ?? ''} limit 1`;
    if (!own) throw new Error('the first rep placed no call');
    const saved = await saveDisposition(db, { userEmail: first.email, callId: own.id, disposition: 'not_interested', notes: null, callbackAt: null });
    expect(saved.ok).toBe(true);
    const [lead] = await db.sql<{ status: string }>`select status from leads where id = ${own.lead_id}`;
    expect(lead?.status).toBe('not_interested');
  });

  it('a stopped session hangs up its lines still ringing once they rang 15 s; a session paused server_lost connects nobody who answers', async () => {
    const owner = await addRep(demoConfig({ completed: 1 }, { ringSeconds: [600, 600] }));
    const { listId } = await createList(owner, 2);
    const sessionId = await start(owner, listId, 2);
    const runner = runnerOn(db, 'stop-ring');
    await runner.runPass();
    await waitFor(async () => (await callsOf(sessionId)).every((call) => call.status === 'ringing' && call.ringing_at !== null), 'two lines ringing');
    const [one, two] = await callsOf(sessionId);
    if (!one || !two) throw new Error('two calls expected');
    // Paused as when its server was lost: a person answering is not put through to a rep who may be gone.
    await db.sql`update dialer_sessions set status = 'paused', paused_at = now(), pause_reason = 'server_lost' where id = ${sessionId}`;
    await answerAsPerson(one.id);
    await runner.runPass();
    const lost = (await callsOf(sessionId)).find((call) => call.id === one.id);
    expect(lost?.status).toBe('completed');
    expect(lost?.abandoned_at).not.toBeNull();
    expect((await sessionRow(sessionId)).connected_call_id).toBeNull();
    expect((await stopDialerSession(db, owner, sessionId, new Date())).ok).toBe(true);
    await runnerOn(db, 'stop-ring', 14_000).runPass();
    expect((await callsOf(sessionId)).find((call) => call.id === two.id)?.status).toBe('ringing');
    await runnerOn(db, 'stop-ring', 16_000).runPass();
    expect((await callsOf(sessionId)).find((call) => call.id === two.id)?.status).toBe('canceled');
    await runnerOn(db, 'stop-ring', 16_000).runPass();
    expect(await sessionRow(sessionId)).toMatchObject({ dialed: 2, connected: 0, abandoned: 1 });
  });

  it('an answered call that ended before its machine verdict waits for the verdict before it is counted; without one it counts as a person, abandoned, with no wrap-up', async () => {
    const owner = await addRep(demoConfig({ completed: 1 }, { ringSeconds: [600, 600] }));
    const { listId } = await createList(owner, 2);
    const sessionId = await start(owner, listId, 2);
    const runner = runnerOn(db, 'verdict');
    await runner.runPass();
    const [one, two] = await callsOf(sessionId);
    if (!one || !two) throw new Error('two calls expected');
    for (const call of [one, two]) {
      const row = await findCallById(db, call.id);
      if (row) await mock.endCall(row);
      // Answered while AMD listens (no verdict), and the callee hangs up.
      await updateCallStatus(db, call.id, { status: 'in-progress', statusSource: 'mock', answeredAt: new Date() });
      await updateCallStatus(db, call.id, { status: 'completed', statusSource: 'mock', endedAt: new Date() });
    }
    const [state] = await db.sql<{ is_wrap_up: boolean }>`select is_wrap_up from rep_states where user_email = ${owner.email}`;
    expect(state?.is_wrap_up).toBe(false);
    await runner.runPass();
    expect(await sessionRow(sessionId)).toMatchObject({ voicemail: 0, abandoned: 0 });
    // The verdict comes late for line 1: a machine. Line 2 never gets one.
    await recordCallFacts(db, one.id, { answeredBy: 'machine_end_beep' });
    await runnerOn(db, 'verdict', 11_000).runPass();
    expect(await sessionRow(sessionId)).toMatchObject({ voicemail: 1, abandoned: 1, connected: 0 });
    const [abandoned] = await db.sql<{ abandoned: boolean; message: boolean }>`
      select abandoned_at is not null as abandoned, safe_harbor_at is not null as message from call_logs where active_call_id = ${two.id}`;
    expect(abandoned).toEqual({ abandoned: true, message: false });
  });
});

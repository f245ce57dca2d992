import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { insertActiveCall } from '../src/db/active-calls.js';
import { createMockProvider, DATABASE_UNREACHABLE_ERROR, INVALID_CONFIG_ERROR, RESTART_ERROR } from '../src/telephony/mock/mock-provider.js';
import { ensureMember } from './support/members.js';
import { countRows, fastConfig, insertLead, invoke, waitForEnd } from './support/calls.js';
import { createTestDatabase, DATABASE_KINDS } from './support/databases.js';
import { createFakeClock } from './support/fake-clock.js';
import { startTestServer, waitFor, type TestServer } from './support/server.js';

const silent = pino({ level: 'silent' });

async function insertMockCall(db: Database, userEmail: string, mockConfig: Record<string, unknown>, lineNumber = 1) {
  await ensureMember(db, userEmail);
  const row = await insertActiveCall(db, {
    userEmail,
    callSid: `MOCK${crypto.randomUUID().replaceAll('-', '')}`,
    lineNumber,
    toNumber: '+14155550170',
    leadId: null,
    leadName: null,
    sessionId: null,
    provider: 'mock',
    statusSource: 'mock',
    amdEnabled: false,
    recordingEnabled: false,
    mockSeed: 3,
    mockConfig,
  });
  if (!row) throw new Error('line busy');
  return row;
}

describe.each(DATABASE_KINDS)('call truth belongs to the server on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  /** A finished demo call of the user's, to the lead when given. */
  async function finishedCall(user: { client: Parameters<typeof invoke>[0]; email: string }, to: string, leadId?: string) {
    const placed = await invoke(user.client, 'mockDialerCall', { to, userEmail: user.email, lineNumber: 1, mockConfig: fastConfig('completed', { talkSeconds: [0, 0] }), ...(leadId ? { leadId } : {}) });
    expect(placed.status).toBe(200);
    const callId = placed.body['callId'] as string;
    await waitForEnd(server.db, callId);
    return callId;
  }

  it('TR1 saveDisposition writes the history row and the lead in one step, with the server’s clock', async () => {
    const rep = await server.signUp('dispose');
    const leadId = await insertLead(server.db, rep.email, 'Ada', '+14155550171');
    const callId = await finishedCall(rep, '+14155550171', leadId);
    const before = Date.now();
    const saved = await invoke(rep.client, 'saveDisposition', { callId, disposition: 'interested', notes: '  wants a demo ' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ success: true, leadStatusChanged: true, lead: { id: leadId, status: 'interested' }, callLog: { disposition: 'interested', notes: 'wants a demo' } });
    const [log] = await server.db.sql<{ disposition_at: Date }>`select disposition_at from call_logs where active_call_id = ${callId}`;
    expect(log?.disposition_at.getTime()).toBeGreaterThanOrEqual(before - 1000);

    // Corrected later (from History): the history row changes, and so does the lead of its latest call.
    const callbackAt = new Date(Date.now() + 86_400_000).toISOString();
    const corrected = await invoke(rep.client, 'saveDisposition', { callId, disposition: 'callback', callbackAt });
    expect(corrected.body).toMatchObject({ lead: { status: 'callback', callback_at: callbackAt }, callLog: { disposition: 'callback', notes: 'wants a demo' } });

    // A newer call decides the lead: correcting the older one touches only its own history row.
    const newer = await finishedCall(rep, '+14155550171', leadId);
    await invoke(rep.client, 'saveDisposition', { callId: newer, disposition: 'not_interested' });
    const old = await invoke(rep.client, 'saveDisposition', { callId, disposition: 'interested' });
    expect(old.body).toMatchObject({ leadStatusChanged: false, lead: { status: 'not_interested' }, callLog: { disposition: 'interested' } });
  });

  it('IN1 saveDisposition refuses bad input, live calls and other users’ calls, and writes nothing', async () => {
    const rep = await server.signUp('dispose-bad');
    const other = await server.signUp('dispose-other');
    const callId = await finishedCall(rep, '+14155550172');
    const live = await invoke(rep.client, 'mockDialerCall', { to: '+14155550173', userEmail: rep.email, lineNumber: 2, mockConfig: fastConfig('completed', { ringSeconds: [60, 60] }) });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ callId, disposition: 'sold' }, 400, 'invalid_request'],
      [{ callId, disposition: 'interested', notes: 'x'.repeat(4001) }, 400, 'invalid_request'],
      [{ callId, disposition: 'interested', callbackAt: new Date(Date.now() + 60_000).toISOString() }, 400, 'invalid_request'],
      [{ callId, disposition: 'callback', callbackAt: '2020-01-01T00:00:00Z' }, 400, 'invalid_request'],
      [{ callId, disposition: 'callback', callbackAt: '9999-12-31T23:59:59Z' }, 400, 'invalid_request'],
      [{ callId: live.body['callId'], disposition: 'interested' }, 409, 'call_not_finished'],
      [{ callId: crypto.randomUUID(), disposition: 'interested' }, 404, 'call_not_found'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await invoke(rep.client, 'saveDisposition', body);
      expect([answer.status, answer.body['code']], JSON.stringify(body)).toEqual([status, code]);
    }
    const stranger = await invoke(other.client, 'saveDisposition', { callId, disposition: 'do_not_call' });
    expect([stranger.status, stranger.body['code']]).toEqual([404, 'call_not_found']);
    expect(await server.db.sql`select disposition from call_logs where user_email = ${rep.email} and disposition is not null`).toEqual([]);
    expect(await server.db.sql`select 1 from do_not_call_numbers where user_email in (${rep.email}, ${other.email})`).toEqual([]);
    await invoke(rep.client, 'twilioEndCall', { callSid: live.body['callSid'], userEmail: rep.email });
  });

  it('TR1 do-not-call is checked by the server on every path, and stays after a call', async () => {
    const rep = await server.signUp('dnc');
    // Two leads with one number, as data from before 0017 may hold (written with its trigger off).
    const [graceLead, oldTwin] = await server.db.transaction(async (tx) => {
      await tx.sql`alter table leads disable trigger leads_phone_unique`;
      const rows = await tx.sql<{ id: string }>`
        insert into leads (user_email, name, phone) values (${rep.email}, 'Grace', '+14155550174'), (${rep.email}, 'Grace (old import)', '+14155550174')
        returning id`;
      await tx.sql`alter table leads enable trigger leads_phone_unique`;
      return rows;
    });
    if (!graceLead || !oldTwin) throw new Error('lead insert returned nothing');
    const [leadId, twin] = [graceLead.id, oldTwin.id];
    const callId = await finishedCall(rep, '+14155550174', leadId);
    const saved = await invoke(rep.client, 'saveDisposition', { callId, disposition: 'do_not_call' });
    expect(saved.body).toMatchObject({ lead: { status: 'do_not_call' } });
    const calls = await countRows(server.db, 'active_calls');

    for (const body of [
      { to: '(415) 555-0174' },
      { to: '+14155550174', leadId },
      { to: '+14155550174', leadId: twin },
    ]) {
      const refused = await invoke(rep.client, 'mockDialerCall', { ...body, userEmail: rep.email, lineNumber: 1, mockConfig: fastConfig('completed') });
      expect([refused.status, refused.body['code']], JSON.stringify(body)).toEqual([409, 'do_not_call']);
    }
    // A call is recorded against its lead, so it cannot dial another number in the lead's name.
    const elsewhere = await invoke(rep.client, 'mockDialerCall', { to: '+14155550179', leadId, userEmail: rep.email, lineNumber: 1, mockConfig: fastConfig('completed') });
    expect([elsewhere.status, elsewhere.body['code']]).toEqual([400, 'invalid_request']);
    expect(await countRows(server.db, 'active_calls')).toBe(calls);

    // A keypad call marked do-not-call puts the number on the user's list.
    const keypad = await finishedCall(rep, '+14155550175');
    await invoke(rep.client, 'saveDisposition', { callId: keypad, disposition: 'do_not_call' });
    const again = await invoke(rep.client, 'mockDialerCall', { to: '+14155550175', userEmail: rep.email, lineNumber: 1 });
    expect([again.status, again.body['code']]).toEqual([409, 'do_not_call']);
    // Another user's list is theirs alone.
    const other = await server.signUp('dnc-other');
    const theirs = await invoke(other.client, 'mockDialerCall', { to: '+14155550175', userEmail: other.email, lineNumber: 1, mockConfig: fastConfig('busy') });
    expect(theirs.status).toBe(200);
    await waitForEnd(server.db, theirs.body['callId'] as string);

    // A lead that asks not to be called while its call is live stays do_not_call after the call.
    const live = await insertLead(server.db, rep.email, 'Alan', '+14155550176');
    const placed = await invoke(rep.client, 'mockDialerCall', { to: '+14155550176', userEmail: rep.email, leadId: live, lineNumber: 2, mockConfig: fastConfig('completed') });
    await server.db.sql`update leads set status = 'do_not_call' where id = ${live}`;
    await waitForEnd(server.db, placed.body['callId'] as string);
    const [lead] = await server.db.sql`select status, attempts from leads where id = ${live}`;
    expect(lead).toEqual({ status: 'do_not_call', attempts: 1 });
  });

  it('TR1 demo calls never change a rep’s real figures: stats are kept per mode', async () => {
    const rep = await server.signUp('modes');
    await finishedCall(rep, '+14155550177');
    // A real call, ended as the webhooks would end it.
    const real = await insertActiveCall(server.db, {
      userEmail: rep.email, callSid: 'CA-modes', lineNumber: 3, toNumber: '+14155550178', leadId: null, leadName: null, sessionId: null,
      provider: 'twilio', statusSource: 'system', amdEnabled: false, recordingEnabled: false, mockSeed: null, mockConfig: null,
    });
    await server.db.sql`update active_calls set status = 'busy', status_source = 'webhook' where id = ${real?.id}`;
    const stats = await rep.client.from('user_stats').select('is_mock, calls_made, connects, busy').order('is_mock');
    expect(stats.data).toEqual([
      { is_mock: false, calls_made: 1, connects: 0, busy: 1 },
      { is_mock: true, calls_made: 1, connects: 1, busy: 0 },
    ]);
  });
});

describe.each(DATABASE_KINDS)('TR2 a stored row is input too on %s', (kind) => {
  it('TR2 a call whose stored mock config is not valid ends failed with the reason; the sweep goes on with the others', async () => {
    const testDb = await createTestDatabase(kind);
    const clock = createFakeClock(Date.now());
    try {
      const bad = await insertMockCall(testDb.db, 'bad@example.com', { dialSeconds: 'soon' });
      const good = await insertMockCall(testDb.db, 'good@example.com', { ...fastConfig('busy'), dialSeconds: 1 });
      const provider = createMockProvider({ db: testDb.db, clock, logger: silent });
      await expect(provider.recoverUnfinishedCalls()).resolves.toBeUndefined();
      const [badRow] = await testDb.db.sql<{ status: string; last_error: string }>`select status, last_error from active_calls where id = ${bad.id}`;
      expect(badRow?.status).toBe('failed');
      expect(badRow?.last_error).toContain(INVALID_CONFIG_ERROR);
      expect(badRow?.last_error).toContain('dialSeconds');
      await clock.advance(2000);
      await waitFor(async () => ((await testDb.db.sql<{ status: string }>`select status from active_calls where id = ${good.id}`)[0]?.status === 'busy' ? true : undefined));
      provider.stop();
    } finally {
      await testDb.dispose();
    }
  });

  it('a call ended because the database was unreachable says so; one whose process died says that', async () => {
    const testDb = await createTestDatabase(kind);
    const clock = createFakeClock(Date.now());
    let isDown = false;
    const flaky: Database = {
      ...testDb.db,
      query: (text, params) => (isDown ? Promise.reject(new Error('connection refused')) : testDb.db.query(text, params)),
      sql: (strings, ...values) => (isDown ? Promise.reject(new Error('connection refused')) : testDb.db.sql(strings, ...values)),
      transaction: (work) => (isDown ? Promise.reject(new Error('connection refused')) : testDb.db.transaction(work)),
    };
    try {
      const provider = createMockProvider({ db: flaky, clock, logger: silent, resumeGraceMs: 15_000, sweepIntervalMs: 5_000 });
      const owned = await insertMockCall(testDb.db, 'owned@example.com', { ...fastConfig('completed'), dialSeconds: 1 });
      await provider.placeCall(owned);
      await provider.recoverUnfinishedCalls();
      // This process was playing `owned` when the database went away for 25 s.
      isDown = true;
      await clock.advance(25_000);
      // Meanwhile another process placed `orphan` and died before its first step.
      const orphan = await insertMockCall(testDb.db, 'orphan@example.com', { ...fastConfig('completed'), dialSeconds: 1 });
      isDown = false;
      await clock.advance(5_000);
      // The sweep's writes finish in their own time; wait for both calls to end.
      const rows = await waitFor(async () => {
        const found = await testDb.db.sql<{ id: string; status: string; last_error: string; started_at: Date; ended_at: Date }>`
          select id, status, last_error, started_at, ended_at from active_calls order by user_email`;
        return found.every((row) => row.status === 'failed') ? found : undefined;
      });
      expect(rows.map(({ id, status, last_error }) => ({ id, status, last_error }))).toEqual([
        { id: orphan.id, status: 'failed', last_error: RESTART_ERROR },
        { id: owned.id, status: 'failed', last_error: DATABASE_UNREACHABLE_ERROR },
      ]);
      // Each ended when its first unplayed step fell due (a second after its start), not when the sweep came.
      for (const row of rows) expect(row.ended_at.getTime() - row.started_at.getTime()).toBeLessThanOrEqual(2000);
      provider.stop();
    } finally {
      await testDb.dispose();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastConfig, invoke, waitForEnd, waitForStatus } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, waitFor, type SignedUpUser, type TestServer } from './support/server.js';

/** A call that rings and stays connected long enough to be ended by hand. */
const LONG_TALK = fastConfig('completed', { talkSeconds: [60, 61] });

async function stateOf(server: TestServer, email: string) {
  const [row] = await server.db.sql<{ state: string; live_lines: number; is_wrap_up: boolean; is_away: boolean }>`
    select state, live_lines, is_wrap_up, is_away from rep_states where user_email = ${email}`;
  return row;
}

async function statesLogged(server: TestServer, email: string): Promise<string[]> {
  const rows = await server.db.sql<{ state: string }>`select state from rep_state_log where user_email = ${email} order by id`;
  return rows.map((row) => row.state);
}

/**
 * Presence as the realtime server writes it while a client of the member is connected (one row
 * per server process and member, with the process's heartbeat); here written by hand, so the
 * test does not depend on a realtime client.
 */
async function markConnected(server: TestServer, email: string): Promise<() => Promise<void>> {
  const instanceId = crypto.randomUUID();
  // A heartbeat ahead of time: the server's own presence sweep must not expire this stand-in
  // instance while a slow test runs.
  await server.db.sql`insert into realtime_instances (instance_id, heartbeat_at) values (${instanceId}, now() + interval '1 hour')`;
  await server.db.sql`insert into realtime_presence (instance_id, user_email) values (${instanceId}, ${email})`;
  await server.db.sql`select dialer_sync_rep_state(${email})`;
  return async () => {
    await server.db.sql`delete from realtime_instances where instance_id = ${instanceId}`;
    await server.db.sql`select dialer_sync_rep_state(${email})`;
  };
}

async function placeCall(user: SignedUpUser, config = LONG_TALK, lineNumber = 1): Promise<string> {
  const placed = await invoke(user.client, 'mockDialerCall', { to: '+14155550142', userEmail: user.email, lineNumber, mockConfig: config });
  expect(placed.status).toBe(200);
  return placed.body['callId'] as string;
}

describe.each(DATABASE_KINDS)('rep states on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  it('a connected rep: call placed → on_call, answered call ended → wrap_up, disposition saved → available; away and back', async () => {
    const rep = await server.signUp('rep');
    expect(await stateOf(server, rep.email)).toMatchObject({ state: 'offline', live_lines: 0 });
    const disconnect = await markConnected(server, rep.email);
    expect(await stateOf(server, rep.email)).toMatchObject({ state: 'available' });

    // A short call may be over before the test looks: rep_state_log (checked below) shows on_call.
    const callId = await placeCall(rep, fastConfig('completed'));
    expect((await waitForEnd(server.db, callId)).status).toBe('completed');
    await waitFor(async () => ((await stateOf(server, rep.email))?.state === 'wrap_up' ? true : undefined), 5000, 'wrap_up');

    const saved = await invoke(rep.client, 'saveDisposition', { callId, disposition: 'interested' });
    expect(saved.status).toBe(200);
    expect(await stateOf(server, rep.email)).toMatchObject({ state: 'available', is_wrap_up: false });

    const away = await invoke(rep.client, 'setRepState', { state: 'away' });
    expect(away).toMatchObject({ status: 200, body: { repState: { userEmail: rep.email, state: 'away', isAway: true, liveLines: 0, stateSince: expect.any(String) } } });
    const back = await invoke(rep.client, 'setRepState', { state: 'available' });
    expect(back.body).toMatchObject({ repState: { state: 'available', isAway: false } });

    await disconnect();
    expect(await stateOf(server, rep.email)).toMatchObject({ state: 'offline' });
    expect(await statesLogged(server, rep.email)).toEqual(['available', 'on_call', 'wrap_up', 'available', 'away', 'available', 'offline']);
  });

  it('a call nobody answered leaves no wrap-up; the rep’s away flag outlasts a call', async () => {
    const rep = await server.signUp('rep');
    const disconnect = await markConnected(server, rep.email);
    expect((await invoke(rep.client, 'setRepState', { state: 'away' })).status).toBe(200);
    const callId = await placeCall(rep, fastConfig('no-answer'));
    await waitForEnd(server.db, callId);
    expect(await stateOf(server, rep.email)).toMatchObject({ state: 'away', is_wrap_up: false });
    expect(await statesLogged(server, rep.email)).toEqual(['available', 'away', 'on_call', 'away']);
    // Setting available while a line is live keeps on_call: the rule decides, not the request.
    const live = await placeCall(rep);
    await waitForStatus(server.db, live, (status) => status === 'in-progress');
    const during = await invoke(rep.client, 'setRepState', { state: 'available' });
    expect(during.body).toMatchObject({ repState: { state: 'on_call', liveLines: 1, isAway: false } });
    await invoke(rep.client, 'twilioEndCall', { callSid: (await server.db.sql<{ call_sid: string }>`select call_sid from active_calls where id = ${live}`)[0]?.call_sid, userEmail: rep.email });
    await waitForEnd(server.db, live);
    expect(await stateOf(server, rep.email)).toMatchObject({ state: 'wrap_up' });
    await disconnect();
  });

  it('without any realtime client connected a rep is offline once their calls end, with the wrap-up kept for later', async () => {
    const rep = await server.signUp('rep');
    const callId = await placeCall(rep, fastConfig('completed'));
    await waitForEnd(server.db, callId);
    expect(await stateOf(server, rep.email)).toEqual({ state: 'offline', live_lines: 0, is_wrap_up: true, is_away: false });
    expect((await invoke(rep.client, 'setRepState', { state: 'available' })).body).toMatchObject({ repState: { state: 'offline' } });
    const logged = await server.db.sql`select state, live_lines from rep_state_log where user_email = ${rep.email} order by id`;
    expect(logged).toEqual([{ state: 'on_call', live_lines: 1 }, { state: 'offline', live_lines: 0 }]);
  });

  it('IN1 setRepState takes available or away only, and writes nothing otherwise', async () => {
    const rep = await server.signUp('rep');
    for (const body of [{}, { state: 'on_call' }, { state: 'offline' }, { state: 'away', userEmail: 'x@example.com' }]) {
      expect(await invoke(rep.client, 'setRepState', body), JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    }
    expect(await stateOf(server, rep.email)).toEqual({ state: 'offline', live_lines: 0, is_wrap_up: false, is_away: false });
  });
});

describe.each(DATABASE_KINDS)('endRepCall on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let manager: SignedUpUser;
  let rep: SignedUpUser;
  let otherRep: SignedUpUser;
  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('admin');
    manager = await server.signUpInto(admin.client, 'manager');
    rep = await server.signUpInto(admin.client, 'rep');
    otherRep = await server.signUpInto(admin.client, 'rep');
  });
  afterAll(async () => {
    await server.close();
  });

  it('a manager ends a rep’s live call as the rep’s hang-up would, audited; another rep or workspace cannot see it', async () => {
    const callId = await placeCall(rep);
    await waitForStatus(server.db, callId, (status) => status === 'in-progress');
    const outsider = await server.signUp('outsider');
    for (const client of [otherRep.client, outsider.client]) {
      expect(await invoke(client, 'endRepCall', { callId })).toMatchObject({ status: 404, body: { code: 'call_not_found' } });
    }
    expect((await server.db.sql`select status from active_calls where id = ${callId}`)[0]).toEqual({ status: 'in-progress' });

    const ended = await invoke(manager.client, 'endRepCall', { callId });
    expect(ended).toMatchObject({ status: 200, body: { success: true, ended: true, status: 'completed', call: { id: callId, status_source: 'manual' } } });
    const [log] = await server.db.sql`select outcome, user_email from call_logs where active_call_id = ${callId}`;
    expect(log).toEqual({ outcome: 'completed', user_email: rep.email });
    const audit = await server.db.sql`select user_email, action, target, details from audit_log where action = 'call.ended_by_manager'`;
    expect(audit).toEqual([
      { user_email: manager.email, action: 'call.ended_by_manager', target: rep.email, details: expect.objectContaining({ callId, statusBefore: 'in-progress', provider: 'mock' }) },
    ]);
    // Ending it again says it had ended, and records nothing more.
    expect((await invoke(admin.client, 'endRepCall', { callId })).body).toMatchObject({ ended: false, status: 'completed' });
    expect(await server.db.sql`select id from audit_log where action = 'call.ended_by_manager'`).toHaveLength(1);
  });

  it('an admin ends a ringing call (a cancel); a rep ends their own call with no audit row; bad input is invalid_request', async () => {
    const ringing = await placeCall(rep, fastConfig('completed', { ringSeconds: [30, 31] }));
    await waitForStatus(server.db, ringing, (status) => status === 'ringing');
    expect((await invoke(admin.client, 'endRepCall', { callId: ringing })).body).toMatchObject({ ended: true, status: 'canceled' });

    const own = await placeCall(otherRep);
    const before = await server.db.sql`select id from audit_log`;
    const endedOwn = (await invoke(otherRep.client, 'endRepCall', { callId: own })).body as { ended: boolean; status: string; call?: { last_error: string | null } };
    // Status and error beside the flag, so a call that had already ended says how.
    expect({ ended: endedOwn.ended, status: endedOwn.status, lastError: endedOwn.call?.last_error ?? null }).toMatchObject({ ended: true, lastError: null });
    expect(await server.db.sql`select id from audit_log`).toEqual(before);

    for (const body of [{}, { callId: 'not-a-uuid' }, { callId: own, extra: true }]) {
      expect(await invoke(manager.client, 'endRepCall', body)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    }
    expect(await invoke(manager.client, 'endRepCall', { callId: crypto.randomUUID() })).toMatchObject({ status: 404, body: { code: 'call_not_found' } });
  });
});

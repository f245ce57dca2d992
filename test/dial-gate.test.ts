import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addToDoNotCall } from '../src/db/do-not-call.js';
import { fastConfig, insertLead, invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import type { SignedUpUser, TestServer } from './support/server.js';
import { signUpProductionRep, startProductionStack, type ProductionStack } from './support/twilio.js';
import { SIM_NUMBERS } from './twilio-sim/scenarios.js';

/** Chicago (312): 22:30 there on Tuesday 2026-12-08, outside the federal window; it opens at 08:00 CST (14:00 UTC). */
const CHICAGO = '+13125550100';
const LATE_IN_CHICAGO = new Date('2026-12-09T04:30:00Z');
/** Wednesday 2026-12-09, 13:00 in Chicago: inside every window. */
const MIDDAY = new Date('2026-12-09T19:00:00Z');

const PATHS = ['mockDialerCall', 'twilioInitiateCall'] as const;
type DialPath = (typeof PATHS)[number];

/** A member who dials on the path: demo mode for mockDialerCall, real mode for twilioInitiateCall. */
async function dialer(server: TestServer, path: DialPath, prefix: string): Promise<SignedUpUser> {
  return path === 'twilioInitiateCall' ? signUpProductionRep(server, prefix) : server.signUp(prefix);
}

function dial(user: SignedUpUser, path: DialPath, body: Record<string, unknown>) {
  const ringsLong = fastConfig('completed', { ringSeconds: [30, 30] });
  return invoke(user.client, path, {
    userEmail: user.email,
    lineNumber: 1,
    ...(path === 'mockDialerCall' ? { mockConfig: ringsLong } : { enableAMD: false, enableRecording: false }),
    ...body,
  });
}

async function callsOf(server: TestServer, email: string) {
  return server.db.sql<{ id: string; to_number: string; list_id: string | null; compliance: Record<string, unknown>; recording_decision: string }>`
    select id, to_number, list_id, compliance, recording_decision from active_calls where user_email = ${email} order by started_at`;
}

async function refusalsOf(server: TestServer, email: string) {
  return server.db.sql<{ kind: string; code: string; rule: string; message: string; phone_number: string; lead_id: string | null; list_id: string | null; details: Record<string, unknown> }>`
    select kind, code, rule, message, phone_number, lead_id, list_id, details from compliance_events where user_email = ${email} and kind = 'dial_refused' order by id`;
}

/** Ends every live call of the user (so a test leaves nothing ringing). */
async function hangUpAll(server: TestServer, user: SignedUpUser) {
  const live = await server.db.sql<{ call_sid: string | null }>`
    select call_sid from active_calls where user_email = ${user.email} and not dialer_is_terminal(status)`;
  for (const call of live) if (call.call_sid) await invoke(user.client, 'twilioEndCall', { callSid: call.call_sid, userEmail: user.email });
}

describe.each(DATABASE_KINDS)('CG1 every dial passes one gate, on %s', (kind) => {
  let stack: ProductionStack;
  let server: TestServer;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    stack = await startProductionStack(kind);
    server = stack.server;
  });
  afterEach(async () => {
    server.dialClock.reset();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each(PATHS)('CG1 %s: a number on the workspace’s do-not-call list is refused with do_not_call, recorded once, and no call is written', async (path) => {
    const rep = await dialer(server, path, `dnc-${path.toLowerCase()}`);
    await server.db.transaction((tx) => addToDoNotCall(tx, { userEmail: rep.email, numbers: [SIM_NUMBERS.human], source: 'manual' }));
    const check = await invoke(rep.client, 'checkDial', { to: SIM_NUMBERS.human, mock: path === 'mockDialerCall' });
    const refused = await dial(rep, path, { to: '(415) 555-0100' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'do_not_call',
      message: `${SIM_NUMBERS.human} is on your workspace's do-not-call list. The call was not placed.`,
      details: { rule: 'dnc:list', zones: ['America/Los_Angeles'] },
    });
    expect(check.body).toMatchObject({ allowed: false, code: 'do_not_call', rule: 'dnc:list' });
    expect(await callsOf(server, rep.email)).toEqual([]);
    const events = await refusalsOf(server, rep.email);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'dial_refused', code: 'do_not_call', rule: 'dnc:list', phone_number: SIM_NUMBERS.human, message: refused.body['message'] }),
    ]);
    expect(events[0]?.details).toMatchObject({ zones: ['America/Los_Angeles'], doNotCall: { listed: { addedBy: rep.email, source: 'manual' } } });
  });

  it.each(PATHS)('CG1 %s: a number of a do_not_call lead of the workspace is refused, whoever’s lead it is', async (path) => {
    const admin = await dialer(server, path, `dnc-lead-${path.toLowerCase()}`);
    const rep = await server.signUpInto(admin.client, 'rep', `dnc-lead-rep-${path.toLowerCase()}`);
    if (path === 'twilioInitiateCall') await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { use_mock_dialer: false } });
    const leadId = await insertLead(server.db, admin.email, 'Grace Hopper', SIM_NUMBERS.machine);
    await server.db.sql`update leads set status = 'do_not_call' where id = ${leadId}`;
    const refused = await dial(rep, path, { to: SIM_NUMBERS.machine });
    // The rep does not see the admin's lead, so it is not named to them (AU1).
    expect(refused).toMatchObject({ status: 409, body: { code: 'do_not_call', message: expect.stringMatching(/^A lead of your workspace \(another rep's\) with this number asked not to be called/), details: { rule: 'dnc:lead_status' } } });
    expect(await callsOf(server, rep.email)).toEqual([]);
    expect(await refusalsOf(server, rep.email)).toEqual([expect.objectContaining({ code: 'do_not_call', rule: 'dnc:lead_status', lead_id: leadId })]);
  });

  it.each(PATHS)('CG1 %s: outside the callee’s calling hours is refused with their local time and when the window opens', async (path) => {
    const rep = await dialer(server, path, `hours-${path.toLowerCase()}`);
    server.dialClock.pin(LATE_IN_CHICAGO);
    const check = await invoke(rep.client, 'checkDial', { to: CHICAGO, mock: path === 'mockDialerCall' });
    const refused = await dial(rep, path, { to: CHICAGO });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'outside_calling_hours',
      message: expect.stringMatching(/22:30.*America\/Chicago.*The call was not placed\.$/s),
      details: { rule: 'federal', calleeLocalTime: expect.stringMatching(/^2026-12-08T22:30(:00)?(\.000)?-06:00$/), opensAt: '2026-12-09T14:00:00.000Z', zones: ['America/Chicago'] },
    });
    expect(check.body).toMatchObject({ allowed: false, code: 'outside_calling_hours', rule: 'federal', opensAt: '2026-12-09T14:00:00.000Z' });
    expect(await callsOf(server, rep.email)).toEqual([]);
    expect(await refusalsOf(server, rep.email)).toEqual([
      expect.objectContaining({ code: 'outside_calling_hours', rule: 'federal', phone_number: CHICAGO, details: expect.objectContaining({ now: LATE_IN_CHICAGO.toISOString(), opensAt: '2026-12-09T14:00:00.000Z' }) }),
    ]);
  });

  it('CG1 the demo clock moves the gate for demo calls only; real calls keep the real clock', async () => {
    const rep = await server.signUp('demo-clock');
    server.dialClock.pin(MIDDAY);
    const offset = Math.round((LATE_IN_CHICAGO.getTime() - MIDDAY.getTime()) / 1000);
    const saved = await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { demoClockOffsetSeconds: offset } });
    expect(saved.body).toMatchObject({ settings: { demo_clock_offset_seconds: offset } });
    const demo = await dial(rep, 'mockDialerCall', { to: CHICAGO });
    expect(demo.body).toMatchObject({ code: 'outside_calling_hours', details: { calleeLocalTime: expect.stringMatching(/^2026-12-08T22:30/) } });
    expect((await refusalsOf(server, rep.email))[0]?.details).toMatchObject({ demoClockOffsetSeconds: offset, now: LATE_IN_CHICAGO.toISOString() });
    expect((await invoke(rep.client, 'checkDial', { to: CHICAGO, mock: true })).body).toMatchObject({ allowed: false, code: 'outside_calling_hours' });
    // The same user's real call ignores the demo clock (Chicago is open at MIDDAY).
    expect((await invoke(rep.client, 'checkDial', { to: CHICAGO, mock: false })).body).toMatchObject({ allowed: true });
    await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { use_mock_dialer: false } });
    cleanups.push(() => hangUpAll(server, rep));
    const real = await dial(rep, 'twilioInitiateCall', { to: SIM_NUMBERS.humanStays });
    expect(real.status).toBe(200);
    const cleared = await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { demo_clock_offset_seconds: null } });
    expect(cleared.body).toMatchObject({ settings: { demo_clock_offset_seconds: null } });
  });

  it.each(PATHS)('CG1 %s: the workspace’s 24-hour cap counts live calls and history per number; the next dial is refused with when it is allowed', async (path) => {
    const rep = await dialer(server, path, `cap-${path.toLowerCase()}`);
    cleanups.push(() => hangUpAll(server, rep));
    const set = await invoke(rep.client, 'setComplianceSettings', { maxAttemptsPer24h: 2 });
    expect(set).toMatchObject({ status: 200, body: { settings: { maxAttemptsPer24h: 2 } } });
    const to = path === 'mockDialerCall' ? '+14155550190' : SIM_NUMBERS.humanStays;
    expect((await dial(rep, path, { to, lineNumber: 1 })).status).toBe(200);
    expect((await dial(rep, path, { to, lineNumber: 2 })).status).toBe(200);
    const check = await invoke(rep.client, 'checkDial', { to, mock: path === 'mockDialerCall' });
    const refused = await dial(rep, path, { to, lineNumber: 3 });
    const calls = await callsOf(server, rep.email);
    expect(calls).toHaveLength(2);
    const [first] = await server.db.sql<{ started_at: Date; skew: number }>`select started_at from active_calls where id = ${calls[0]?.id ?? ''}`;
    expect(refused).toMatchObject({
      status: 409,
      body: { code: 'attempt_limit_reached', message: expect.stringMatching(/called 2 times in the last 24 hours and the workspace allows 2/), details: { rule: 'cap:number:per_24h:workspace' } },
    });
    // The oldest counted attempt leaves the window 24 hours after it started (on the gate's clock, which runs ahead here).
    const nextAttemptAt = new Date(String((refused.body['details'] as Record<string, unknown>)['nextAttemptAt']));
    const gateAhead = server.dialClock.now() - Date.now();
    expect(Math.abs(nextAttemptAt.getTime() - ((first?.started_at.getTime() ?? 0) + gateAhead + 86_400_000))).toBeLessThan(60_000);
    expect(check.body).toMatchObject({ allowed: false, code: 'attempt_limit_reached', attempts: { number: { per24h: 2 } } });
    expect(await refusalsOf(server, rep.email)).toEqual([expect.objectContaining({ code: 'attempt_limit_reached', rule: 'cap:number:per_24h:workspace', phone_number: to })]);
  });

  it('CG1 a per-day cap counts the callee’s local day and allows the next attempt at their next midnight', async () => {
    const admin = await server.signUp('day-cap');
    cleanups.push(() => hangUpAll(server, admin));
    expect((await invoke(admin.client, 'setComplianceSettings', { maxAttemptsPerDay: 1, maxAttemptsPer24h: null })).status).toBe(200);
    server.dialClock.pin(MIDDAY); // 13:00 in Chicago on 2026-12-09; the gate's clock is days ahead of the database's here
    expect((await dial(admin, 'mockDialerCall', { to: CHICAGO, lineNumber: 1 })).status).toBe(200);
    const refused = await dial(admin, 'mockDialerCall', { to: CHICAGO, lineNumber: 2 });
    expect(refused).toMatchObject({
      status: 409,
      body: { code: 'attempt_limit_reached', message: expect.stringMatching(/called 1 time today/), details: { rule: 'cap:number:per_day:workspace', nextAttemptAt: '2026-12-10T06:00:00.000Z' } },
    });
    // The next day in Chicago, the attempt of the day before no longer counts against the day.
    server.dialClock.pin(new Date('2026-12-10T15:00:00Z'));
    expect((await invoke(admin.client, 'checkDial', { to: CHICAGO })).body).toMatchObject({ allowed: true, attempts: { number: { lifetime: 1, perDay: 0 } } });
  });

  it('CG1 a lead’s list narrows the caps: one attempt per 24 hours for its leads, while the workspace allows 3', async () => {
    const admin = await server.signUp('list-cap');
    cleanups.push(() => hangUpAll(server, admin));
    const created = await invoke(admin.client, 'createLeadList', { name: 'One a day', maxAttemptsPer24h: 1 });
    expect(created).toMatchObject({ status: 200, body: { list: { maxAttemptsPer24h: 1, callingWindowStart: null } } });
    const listId = (created.body['list'] as { id: string }).id;
    const leadId = await insertLead(server.db, admin.email, 'Ada Lovelace', '+14155550191');
    await server.db.sql`update leads set list_id = ${listId} where id = ${leadId}`;
    expect((await dial(admin, 'mockDialerCall', { to: '+14155550191', leadId, lineNumber: 1 })).status).toBe(200);
    const refused = await dial(admin, 'mockDialerCall', { to: '+14155550191', leadId, lineNumber: 2 });
    expect(refused).toMatchObject({ status: 409, body: { code: 'attempt_limit_reached', details: { rule: expect.stringMatching(/^cap:(number|lead):per_24h:list$/) } } });
    expect(await refusalsOf(server, admin.email)).toEqual([expect.objectContaining({ code: 'attempt_limit_reached', lead_id: leadId, list_id: listId })]);
    // A keypad dial of the lead's number is the same callee: the list's cap holds there too.
    const keypad = await dial(admin, 'mockDialerCall', { to: '+14155550191', lineNumber: 3 });
    expect(keypad).toMatchObject({ status: 409, body: { code: 'attempt_limit_reached' } });
  });

  it('CG1 a lead’s list narrows the calling window', async () => {
    const admin = await server.signUp('list-window');
    const created = await invoke(admin.client, 'createLeadList', { name: 'Afternoons', callingWindowStart: '14:00', callingWindowEnd: '17:00' });
    expect(created.body).toMatchObject({ list: { callingWindowStart: '14:00', callingWindowEnd: '17:00' } });
    const listId = (created.body['list'] as { id: string }).id;
    const leadId = await insertLead(server.db, admin.email, 'Ada Lovelace', CHICAGO);
    await server.db.sql`update leads set list_id = ${listId} where id = ${leadId}`;
    server.dialClock.pin(MIDDAY); // 13:00 in Chicago
    const refused = await dial(admin, 'mockDialerCall', { to: CHICAGO, leadId });
    expect(refused).toMatchObject({ status: 409, body: { code: 'outside_calling_hours', details: { rule: 'list', opensAt: '2026-12-09T20:00:00.000Z' } } });
    // Without the lead (another number) the workspace's window applies.
    expect((await invoke(admin.client, 'checkDial', { to: '+13125550111' })).body).toMatchObject({ allowed: true });
  });

  it('CG1 the lead’s own time zone is checked beside the number’s, on a lead’s call and on a keypad dial of its number', async () => {
    const rep = await server.signUp('lead-zone');
    const leadId = await insertLead(server.db, rep.email, 'Ada Lovelace', '+14155550195');
    await server.db.sql`update leads set time_zone = 'America/New_York', region = 'NY' where id = ${leadId}`;
    // 21:30 in New York, 18:30 in San Francisco.
    server.dialClock.pin(new Date('2026-12-10T02:30:00Z'));
    for (const body of [{ to: '+14155550195', leadId }, { to: '+14155550195' }]) {
      const refused = await dial(rep, 'mockDialerCall', body);
      expect(refused, JSON.stringify(body)).toMatchObject({ status: 409, body: { code: 'outside_calling_hours', details: { rule: 'lead_time_zone', zones: expect.arrayContaining(['America/Los_Angeles', 'America/New_York']) } } });
    }
    expect(await callsOf(server, rep.email)).toEqual([]);
    expect((await refusalsOf(server, rep.email)).map((event) => event.lead_id)).toEqual([leadId, leadId]);
  });

  it('CG1 an allowed dial stores the lead’s list, the gate’s facts and the recording decision on its call', async () => {
    const admin = await server.signUp('allowed');
    cleanups.push(() => hangUpAll(server, admin));
    const created = await invoke(admin.client, 'createLeadList', { name: 'West' });
    const listId = (created.body['list'] as { id: string }).id;
    const leadId = await insertLead(server.db, admin.email, 'Ada Lovelace', '+14155550192');
    await server.db.sql`update leads set list_id = ${listId} where id = ${leadId}`;
    server.dialClock.pin(MIDDAY);
    const check = await invoke(admin.client, 'checkDial', { to: '+14155550192', leadId });
    expect(check.body).toMatchObject({ allowed: true, zones: ['America/Los_Angeles'], regions: ['CA'], attempts: { number: { lifetime: 0 }, lead: { lifetime: 0 } } });
    const placed = await dial(admin, 'mockDialerCall', { to: '+14155550192', leadId, enableRecording: true });
    expect(placed.status).toBe(200);
    const [call] = await callsOf(server, admin.email);
    expect(call).toMatchObject({ list_id: listId, recording_decision: 'recorded_after_notice' });
    expect(call?.compliance).toMatchObject({
      rule: 'allowed',
      zones: ['America/Los_Angeles'],
      regions: ['CA'],
      calleeLocalTime: expect.stringMatching(/^2026-12-09T11:00/),
      attempts: { number: { lifetime: 0, perDay: 0, per24h: 0 }, lead: { lifetime: 0 } },
      leadId,
      listId,
    });
    expect(await refusalsOf(server, admin.email)).toEqual([]);
    // The attempt now counts, for checkDial too.
    expect((await invoke(admin.client, 'checkDial', { to: '+14155550192', leadId })).body).toMatchObject({ allowed: true, attempts: { number: { lifetime: 1, per24h: 1 }, lead: { lifetime: 1 } } });
  });

  it('CG1 checkDial writes nothing, and a rep reads only their own refusals; another workspace sees none', async () => {
    const admin = await server.signUp('log-admin');
    const rep = await server.signUpInto(admin.client, 'rep', 'log-rep');
    const otherRep = await server.signUpInto(admin.client, 'rep', 'log-other');
    const outsider = await server.signUp('log-outsider');
    await server.db.transaction((tx) => addToDoNotCall(tx, { userEmail: admin.email, numbers: ['+14155550193'], source: 'manual' }));
    const [before] = await server.db.sql<{ n: number }>`select count(*)::int as n from compliance_events`;
    expect((await invoke(rep.client, 'checkDial', { to: '+14155550193' })).body).toMatchObject({ allowed: false, code: 'do_not_call' });
    const [after] = await server.db.sql<{ n: number }>`select count(*)::int as n from compliance_events`;
    expect(after?.n).toBe(before?.n);
    expect((await dial(rep, 'mockDialerCall', { to: '+14155550193' })).body).toMatchObject({ code: 'do_not_call' });

    const seen = async (user: SignedUpUser) => {
      const { data, error } = await user.client.from('compliance_events').select('user_email, code').eq('kind', 'dial_refused');
      expect(error).toBeNull();
      return data ?? [];
    };
    expect(await seen(rep)).toEqual([{ user_email: rep.email, code: 'do_not_call' }]);
    expect(await seen(otherRep)).toEqual([]);
    expect(await seen(outsider)).toEqual([]);
    expect(await seen(admin)).toEqual([{ user_email: rep.email, code: 'do_not_call' }]);
    // The log is read-only through REST.
    const { error } = await rep.client.from('compliance_events').insert({ user_email: rep.email, kind: 'dial_refused', message: 'forged' });
    expect(error).not.toBeNull();
  });

  it('CG1 checkDial refuses bad input with a clear code and needs a signed-in member', async () => {
    const rep = await server.signUp('check-bad');
    expect(await invoke(rep.client, 'checkDial', { to: 'not a number' })).toMatchObject({ status: 400, body: { code: 'invalid_phone_number' } });
    expect(await invoke(rep.client, 'checkDial', { to: '+14155550194', surprise: 1 })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(await invoke(rep.client, 'checkDial', { to: '+14155550194', leadId: crypto.randomUUID() })).toMatchObject({ status: 404, body: { code: 'lead_not_found' } });
  });
});

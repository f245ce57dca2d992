import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveCallRow } from '../src/db/active-calls.js';
import { createDialerSessionRunner, type DialerSessionRunner } from '../src/db/dialer-session-runner.js';
import { startDialerSession, type DialerSessionRow } from '../src/db/dialer-sessions.js';
import { endWrapUp } from '../src/db/rep-states.js';
import { systemClock } from '../src/telephony/provider.js';
import type { SessionLegs } from '../src/telephony/session-legs.js';
import { OPT_OUT_KEY } from '../src/telephony/twilio/call-twiml.js';
import { createTwilioSessionLegs } from '../src/telephony/twilio/session-legs.js';
import { createTwilioClient } from '../src/telephony/twilio/twilio-client.js';
import { waitForEnd } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { waitFor } from './support/server.js';
import { signUpProductionRep, startProductionStack, twilioConfigFor, type ProductionStack } from './support/twilio.js';
import type { LegScript } from './twilio-sim/leg-scripts.js';
import type { SimCall } from './twilio-sim/twilio-sim.js';

type SessionCall = ActiveCallRow & { connected_at: Date | null; abandoned_at: Date | null; safe_harbor_at: Date | null; voicemail_dropped_at: Date | null };

const VOICEMAIL = 'Hi, this is Ada from Analytical Engines. Please call us back at 415 555 0199.';

/**
 * A whole power-dial session in Twilio mode (issue 14; DESIGN PD1, HI1) against the local Twilio:
 * the session runner as the server runs it (a pass every 250 ms) with Twilio's provider and the
 * Twilio session legs. Three lines: two people answer within a few ms of each other and a machine
 * answers with them, its verdict coming after its greeting's beep. Exactly one person is bridged
 * to the rep; the other hears the safe-harbor message and counts as abandoned; the machine gets
 * the list's voicemail drop (or is hung up, as the list says) after its verdict; every call ends
 * with one history row and the session's counters agree.
 */
describe.each(DATABASE_KINDS)('a 3-line power-dial session in Twilio mode on %s', (kind) => {
  let stack: ProductionStack;
  let legs: SessionLegs;
  let runner: DialerSessionRunner;
  let numberCounter = 0;
  beforeAll(async () => {
    stack = await startProductionStack(kind);
    const { server, sim } = stack;
    const provider = server.twilio;
    if (!provider) throw new Error('the server has no Twilio provider');
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    legs = createTwilioSessionLegs({ db: server.db, calls: createTwilioClient(twilioConfigFor(sim)).calls, provider, logger, webhookBaseUrl: () => server.url });
    runner = createDialerSessionRunner({
      db: server.db,
      mock: server.mock,
      twilio: { provider, legs },
      clock: systemClock,
      gateNow: () => server.dialClock.now(),
      logger,
      isTwilioConfigured: true,
    });
    runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await stack.close();
  });

  const scripted = (script: LegScript) => {
    const to = `+1415559${String(++numberCounter).padStart(4, '0')}`;
    stack.sim.script(to, script);
    return to;
  };

  it.each([
    { voicemailAction: 'leave', voicemailMessage: VOICEMAIL },
    { voicemailAction: 'hangup', voicemailMessage: null },
  ] as const)('PD1 HI1 two people answer together, a machine with them (list voicemail action $voicemailAction): one bridged, one abandoned with the message, the machine $voicemailAction; one history row each', async ({ voicemailAction, voicemailMessage }) => {
    const { server, sim } = stack;
    const db = server.db;
    const rep = await signUpProductionRep(server, 'twilio-session');
    const [member] = await db.sql<{ workspace_id: string }>`select workspace_id from workspace_members where user_email = ${rep.email}`;
    if (!member) throw new Error('no membership');
    // The three ring until the test picks them up together (below). Both people stay on for 3 s
    // unless the session ends their call first; the machine's greeting takes 0.8 s to its beep,
    // then it records until the call is ended.
    const people = [scripted({ verdictAfterMs: 150, hangUpAfterMs: 3000 }), scripted({ verdictAfterMs: 220, hangUpAfterMs: 3000 })];
    const machine = scripted({ answeredBy: 'machine_end_beep', verdictAfterMs: 800 });
    const [list] = await db.sql<{ id: string }>`
      insert into lead_lists (user_email, name, voicemail_action, voicemail_message)
      values (${rep.email}, ${`Twilio session ${voicemailAction}`}, ${voicemailAction}, ${voicemailMessage}) returning id`;
    if (!list) throw new Error('no list');
    const phones = [...people, machine];
    for (const [index, phone] of phones.entries()) {
      await db.sql`
        insert into leads (user_email, name, phone, list_id, created_at)
        values (${rep.email}, ${`Lead ${index}`}, ${phone}, ${list.id}, ${new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString()}::timestamptz)`;
    }
    const started = await startDialerSession(db, { workspaceId: member.workspace_id, email: rep.email }, { listId: list.id, lines: 3, filter: {} }, new Date());
    if (!started.ok) throw new Error(started.error.message);
    const sessionId = started.value.id;

    const callsOf = () => db.sql<SessionCall>`select * from active_calls where session_id = ${sessionId} order by line_number`;
    const placed = await waitFor(async () => {
      const rows = await callsOf();
      return rows.length === 3 && rows.every((row) => row.call_sid !== null) ? rows : undefined;
    }, 10_000, 'three session calls placed at Twilio');
    expect(placed.map((row) => row.line_number)).toEqual([1, 2, 3]);
    expect(new Set(placed.map((row) => row.to_number))).toEqual(new Set(phones));
    const simOf = (row: ActiveCallRow): SimCall => {
      const call = sim.calls.get(row.call_sid ?? '');
      if (!call) throw new Error(`no simulated call for ${row.to_number}`);
      return call;
    };
    // All ringing, then all three answered at once; the people's verdicts come 150 and 220 ms after.
    await waitFor(async () => (placed.every((row) => simOf(row).status === 'ringing') ? true : undefined), 10_000, 'three lines ringing');
    for (const row of placed) expect(sim.pickUp(row.call_sid ?? '')).toBe(true);
    const answeredMs = placed.map((row) => simOf(row).answerMs ?? Infinity);
    expect(Math.max(...answeredMs) - Math.min(...answeredMs)).toBeLessThan(100);

    // The connected call ends when its person hangs up; the rep then saves a disposition (ends the wrap-up).
    const connected = await waitFor(async () => {
      const [session] = await db.sql<DialerSessionRow>`select * from dialer_sessions where id = ${sessionId}`;
      return session?.connected_call_id ?? undefined;
    }, 10_000, 'a person connected to the rep');
    await waitFor(async () => ((await callsOf()).every((row) => ['completed', 'voicemail_detected', 'canceled', 'failed', 'busy', 'no-answer'].includes(row.status)) ? true : undefined), 15_000, 'every call ended');
    await waitFor(async () => {
      const [state] = await db.sql<{ is_wrap_up: boolean }>`select is_wrap_up from rep_states where user_email = ${rep.email}`;
      return state?.is_wrap_up ? true : undefined;
    }, 10_000, 'the rep in wrap-up');
    await db.transaction((tx) => endWrapUp(tx, rep.email));
    const session = await waitFor(async () => {
      const [row] = await db.sql<DialerSessionRow>`select * from dialer_sessions where id = ${sessionId}`;
      return row?.status === 'stopped' ? row : undefined;
    }, 10_000, 'the session stopped at the end of its queue');
    expect(session).toMatchObject({ stop_reason: 'queue_empty', dialed: 3, connected: 1, voicemail: 1, abandoned: 1, skipped: 0, connected_call_id: null });

    const ended = await callsOf();
    const [winner, loser, machineCall] = [
      ended.find((row) => row.id === connected),
      ended.find((row) => row.id !== connected && people.includes(row.to_number)),
      ended.find((row) => row.to_number === machine),
    ];
    if (!winner || !loser || !machineCall) throw new Error('a call is missing');
    // PD1: exactly one person connected, the other abandoned with the message started.
    expect(winner).toMatchObject({ status: 'completed', answered_by: 'human', abandoned_at: null, safe_harbor_at: null });
    expect(winner.connected_at).toBeInstanceOf(Date);
    expect(loser).toMatchObject({ status: 'completed', answered_by: 'human', connected_at: null });
    expect(loser.abandoned_at).toBeInstanceOf(Date);
    expect(loser.safe_harbor_at).toBeInstanceOf(Date);
    expect(machineCall).toMatchObject({ status: 'voicemail_detected', answered_by: 'machine_end_beep', connected_at: null, abandoned_at: null });
    if (voicemailAction === 'leave') expect(machineCall.voicemail_dropped_at).toBeInstanceOf(Date);
    else expect(machineCall.voicemail_dropped_at).toBeNull();

    // What each leg was given at Twilio: all held by the answer webhook first.
    for (const row of ended) expect(simOf(row).given[0]).toMatchObject({ via: 'answer', twiml: expect.stringContaining('<Pause length="60"/>') });
    const updates = (row: ActiveCallRow) => simOf(row).given.filter((given) => given.via === 'update').map((given) => given.twiml);
    expect(updates(winner)).toHaveLength(1);
    expect(updates(winner)[0]).toMatch(new RegExp(`<Dial callerId="\\${winner.to_number}" action="[^"]+/webhooks/twilio/dial-result\\?callId=${winner.id}" method="POST" timeout="5"><Client>rep-${rep.userId}</Client></Dial>`));
    expect(updates(loser)).toHaveLength(1);
    expect(updates(loser)[0]).toMatch(new RegExp(`<Gather numDigits="1" timeout="5" action="[^"]+/webhooks/twilio/opt-out\\?callId=${loser.id}" method="POST" actionOnEmptyResult="false"><Say>This call was made for telemarketing purposes[^<]*To be added to our do-not-call list now, press ${OPT_OUT_KEY}\\.</Say></Gather><Hangup/>`));
    expect(simOf(loser).said).toHaveLength(1);
    expect(simOf(loser).updates).toEqual([]);
    if (voicemailAction === 'leave') {
      expect(updates(machineCall)).toEqual([`<?xml version="1.0" encoding="UTF-8"?><Response><Say>${VOICEMAIL}</Say><Hangup/></Response>`]);
      expect(simOf(machineCall).said).toEqual([VOICEMAIL]);
      expect(simOf(machineCall).updates).toEqual([]);
    } else {
      expect(updates(machineCall)).toEqual([]);
      expect(simOf(machineCall).updates).toEqual(['completed']);
    }
    // The machine was dealt with only after its verdict (after the beep): the AMD webhook came first.
    const exchanges = await db.sql<{ event: string; direction: string }>`
      select event, direction from twilio_call_logs where active_call_id = ${machineCall.id} and (event = 'amd' or (event = 'calls.update' and direction = 'request')) order by id`;
    expect(exchanges.map((e) => e.event)).toEqual(['amd', 'calls.update']);

    // HI1: one history row per call, with what the session did.
    const history = await db.sql<{ active_call_id: string; outcome: string; abandoned_at: Date | null; connected_at: Date | null; voicemail_dropped_at: Date | null }>`
      select active_call_id, outcome, abandoned_at, connected_at, voicemail_dropped_at from call_logs where session_id = ${sessionId}`;
    expect(history).toHaveLength(3);
    expect(new Set(history.map((row) => row.active_call_id))).toEqual(new Set(ended.map((row) => row.id)));
    const historyOf = (row: ActiveCallRow) => history.find((h) => h.active_call_id === row.id);
    expect(historyOf(winner)).toMatchObject({ outcome: 'completed', abandoned_at: null });
    expect(historyOf(loser)?.abandoned_at).toBeInstanceOf(Date);
    expect(historyOf(machineCall)?.outcome).toBe('voicemail_detected');
    if (voicemailAction === 'leave') expect(historyOf(machineCall)?.voicemail_dropped_at).toBeInstanceOf(Date);
    // Nothing left reserved, nothing live.
    expect(await db.sql`select 1 from lead_reservations where session_id = ${sessionId}`).toEqual([]);
  });

  it('PD1 a line still ringing when the rep is connected is not dropped at once; its person, answering then, hears the safe-harbor message and counts as abandoned', async () => {
    const { server, sim } = stack;
    const db = server.db;
    const rep = await signUpProductionRep(server, 'twilio-session-late');
    const [member] = await db.sql<{ workspace_id: string }>`select workspace_id from workspace_members where user_email = ${rep.email}`;
    if (!member) throw new Error('no membership');
    const first = scripted({ verdictAfterMs: 100, hangUpAfterMs: 2500 });
    const late = scripted({ verdictAfterMs: 100, hangUpAfterMs: 2500 });
    const [list] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${rep.email}, 'Twilio session, late answer') returning id`;
    if (!list) throw new Error('no list');
    for (const [index, phone] of [first, late].entries()) {
      await db.sql`
        insert into leads (user_email, name, phone, list_id, created_at)
        values (${rep.email}, ${`Lead ${index}`}, ${phone}, ${list.id}, ${new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString()}::timestamptz)`;
    }
    const started = await startDialerSession(db, { workspaceId: member.workspace_id, email: rep.email }, { listId: list.id, lines: 2, filter: {} }, new Date());
    if (!started.ok) throw new Error(started.error.message);
    const sessionId = started.value.id;
    const callTo = (to: string) =>
      waitFor(async () => {
        const [row] = await db.sql<SessionCall>`select * from active_calls where session_id = ${sessionId} and to_number = ${to}`;
        return row?.call_sid && sim.calls.get(row.call_sid)?.status === 'ringing' ? row : undefined;
      }, 10_000, `the call to ${to} ringing`);
    const [firstRow, lateRow] = [await callTo(first), await callTo(late)];
    expect(sim.pickUp(firstRow.call_sid ?? '')).toBe(true);
    await waitFor(async () => {
      const [session] = await db.sql<DialerSessionRow>`select connected_call_id from dialer_sessions where id = ${sessionId}`;
      return session?.connected_call_id === firstRow.id ? true : undefined;
    }, 10_000, 'the first person connected');
    // A few passes later the other line still rings: the ring minimum (15 s) has not passed.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const lateCall = sim.calls.get(lateRow.call_sid ?? '');
    expect(lateCall?.status).toBe('ringing');
    expect(lateCall?.updates).toEqual([]);
    expect(sim.pickUp(lateRow.call_sid ?? '')).toBe(true);
    const ended = await waitFor(async () => {
      const [row] = await db.sql<SessionCall>`select * from active_calls where id = ${lateRow.id}`;
      return row?.status === 'completed' ? row : undefined;
    }, 10_000, 'the late person’s call ended');
    expect(ended).toMatchObject({ answered_by: 'human', connected_at: null });
    expect(ended.abandoned_at).toBeInstanceOf(Date);
    expect(ended.safe_harbor_at).toBeInstanceOf(Date);
    expect(lateCall?.given.filter((given) => given.via === 'update').map((given) => given.twiml)).toEqual([expect.stringMatching(/<Gather [^>]*opt-out[^>]*><Say>This call was made for telemarketing purposes/)]);
    await waitFor(async () => {
      const [session] = await db.sql<DialerSessionRow>`select abandoned, connected from dialer_sessions where id = ${sessionId}`;
      return session?.abandoned === 1 && session.connected === 1 ? true : undefined;
    }, 10_000, 'the session counting one connected and one abandoned');
    await waitForEnd(db, firstRow.id);
    const [session] = await db.sql<DialerSessionRow>`select * from dialer_sessions where id = ${sessionId}`;
    if (session?.status !== 'stopped') {
      await waitFor(async () => {
        const [state] = await db.sql<{ is_wrap_up: boolean }>`select is_wrap_up from rep_states where user_email = ${rep.email}`;
        return state?.is_wrap_up ? true : undefined;
      }, 10_000, 'the rep in wrap-up');
      await db.transaction((tx) => endWrapUp(tx, rep.email));
      await waitFor(async () => {
        const [row] = await db.sql<DialerSessionRow>`select status from dialer_sessions where id = ${sessionId}`;
        return row?.status === 'stopped' ? true : undefined;
      }, 10_000, 'the session stopped');
    }
    expect(await db.sql`select 1 from call_logs where session_id = ${sessionId}`).toHaveLength(2);
  });
});

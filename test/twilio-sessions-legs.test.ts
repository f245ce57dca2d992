import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertActiveCall, type ActiveCallRow } from '../src/db/active-calls.js';
import { startDialerSession } from '../src/db/dialer-sessions.js';
import type { SessionLegs } from '../src/telephony/session-legs.js';
import { loadBridgeTwiml, SESSION_HOLD_SECONDS } from '../src/telephony/twilio/call-twiml.js';
import { createTwilioSessionLegs } from '../src/telephony/twilio/session-legs.js';
import { createTwilioClient } from '../src/telephony/twilio/twilio-client.js';
import { waitForEnd } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { waitFor } from './support/server.js';
import { readCall, signUpProductionRep, startProductionStack, twilioConfigFor, twilioLogsOf, waitForSimCall, type ProductionStack } from './support/twilio.js';
import type { LegScript } from './twilio-sim/leg-scripts.js';
import type { SimCall } from './twilio-sim/twilio-sim.js';

/**
 * Twilio mode's power-dial legs (issue 14; DESIGN PD1) against the local Twilio: a session's call
 * asks for asynchronous AMD that waits for the beep, the answer webhook holds the callee instead
 * of bridging, the AMD webhook only records a machine's verdict, and each leg (bridge,
 * safe-harbor message, voicemail drop, hang-up) reaches Twilio as a Call update, with the TwiML
 * the hand-dialed webhooks give. The session runner's own decisions are not part of this file
 * (test/twilio-sessions.test.ts runs whole sessions).
 */
describe.each(DATABASE_KINDS)('Twilio session legs against the local Twilio on %s', (kind) => {
  let stack: ProductionStack;
  let legs: SessionLegs;
  let numberCounter = 0;
  beforeAll(async () => {
    stack = await startProductionStack(kind);
    const provider = stack.server.twilio;
    if (!provider) throw new Error('the server has no Twilio provider');
    legs = createTwilioSessionLegs({
      db: stack.server.db,
      calls: createTwilioClient(twilioConfigFor(stack.sim)).calls,
      provider,
      logger: pino({ level: 'silent' }),
      webhookBaseUrl: () => stack.server.url,
    });
  });
  afterEach(() => {
    stack.sim.setBehaviour({ calleePresses: undefined, repTakesCall: true });
  });
  afterAll(async () => {
    await stack.close();
  });

  /** A rep in production mode with an active 3-line session on a list of one lead. */
  async function sessionRep(settings: Record<string, unknown> = {}) {
    const { server } = stack;
    const rep = await signUpProductionRep(server, 'session-legs', settings);
    const [member] = await server.db.sql<{ workspace_id: string }>`select workspace_id from workspace_members where user_email = ${rep.email}`;
    if (!member) throw new Error('no membership');
    const [list] = await server.db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${rep.email}, 'Legs list') returning id`;
    if (!list) throw new Error('no list');
    const [lead] = await server.db.sql<{ id: string }>`
      insert into leads (user_email, name, phone, list_id) values (${rep.email}, 'Grace Hopper', '+14155550142', ${list.id}) returning id`;
    if (!lead) throw new Error('no lead');
    const session = await startDialerSession(server.db, { workspaceId: member.workspace_id, email: rep.email }, { listId: list.id, lines: 3, filter: {} }, new Date());
    if (!session.ok) throw new Error(session.error.message);
    return { ...rep, sessionId: session.value.id, leadId: lead.id };
  }

  /** Places a session's call (as the runner does: amd on, the session and line on the row) to a scripted number. */
  async function placeSessionCall(rep: Awaited<ReturnType<typeof sessionRep>>, script: LegScript, line = 1): Promise<{ row: ActiveCallRow; to: string }> {
    const to = `+1415558${String(++numberCounter).padStart(4, '0')}`;
    stack.sim.script(to, script);
    const row = await insertActiveCall(stack.server.db, {
      userEmail: rep.email,
      callSid: null,
      lineNumber: line,
      toNumber: to,
      leadId: rep.leadId,
      leadName: 'Grace Hopper',
      sessionId: rep.sessionId,
      provider: 'twilio',
      statusSource: 'system',
      amdEnabled: true,
      recordingEnabled: false,
      mockSeed: null,
      mockConfig: null,
    });
    if (!row) throw new Error('line busy');
    const placed = await stack.server.twilio?.placeCall(row);
    if (!placed?.ok) throw new Error(`not placed: ${JSON.stringify(placed)}`);
    return { row: placed.value, to };
  }

  const simCallOf = async (row: ActiveCallRow, wanted: (call: SimCall) => boolean = () => true, what?: string) => {
    const sid = (await readCall(stack.server.db, row.id)).call_sid;
    if (!sid) throw new Error('no CallSid');
    return waitForSimCall(stack.sim, sid, wanted, what);
  };
  const held = (row: ActiveCallRow) => simCallOf(row, (call) => call.given.length > 0, 'the hold TwiML');
  const verdict = (row: ActiveCallRow) => waitFor(async () => {
    const call = await readCall(stack.server.db, row.id);
    return call.answered_by === null ? undefined : call;
  }, 10_000, 'the AMD verdict on the row');
  const updatesOf = (call: SimCall) => call.given.filter((given) => given.via === 'update').map((given) => given.twiml);
  const historyOf = (callId: string) => stack.server.db.sql<{ outcome: string; answered_by: string | null }>`select outcome, answered_by from call_logs where active_call_id = ${callId}`;

  it('a session call asks for asynchronous AMD that waits for the beep (DetectMessageEnd) whatever the rep’s voicemail action, and the answer webhook holds the callee: no bridge', async () => {
    const rep = await sessionRep({ voicemail_action: 'hangup' });
    const { row } = await placeSessionCall(rep, { answerAfterMs: 30, verdictAfterMs: 40, hangUpAfterMs: 600 });
    const call = await held(row);
    const create = stack.sim.requests.find((request) => request.callSid === call.sid && request.path.endsWith('/Calls.json'));
    expect(create?.params).toMatchObject({
      MachineDetection: 'DetectMessageEnd',
      AsyncAmd: 'true',
      AsyncAmdStatusCallback: `${stack.server.url}/webhooks/twilio/amd?callId=${row.id}`,
      AsyncAmdStatusCallbackMethod: 'POST',
    });
    expect(call.given).toHaveLength(1);
    expect(call.given[0]?.twiml).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="${SESSION_HOLD_SECONDS}"/><Hangup/></Response>`);
    expect(call.given[0]?.twiml).not.toMatch(/<Dial/);
    const ended = await waitForEnd(stack.server.db, row.id);
    expect(ended).toMatchObject({ status: 'completed', answered_by: 'human', session_id: rep.sessionId });
    const answers = (await twilioLogsOf(stack.server.db, row.id)).filter((log) => log.direction === 'webhook' && log.event === 'answer');
    expect(answers.map((log) => log.outcome)).toEqual(['session_hold']);
    expect(await historyOf(row.id)).toHaveLength(1);
  });

  it('the AMD webhook records a machine’s verdict on a session call and does not hang up (the session decides), even with voicemail action hangup', async () => {
    const rep = await sessionRep({ voicemail_action: 'hangup' });
    const { row } = await placeSessionCall(rep, { answerAfterMs: 30, answeredBy: 'machine_end_beep', verdictAfterMs: 60 });
    const noted = await verdict(row);
    expect(noted).toMatchObject({ answered_by: 'machine_end_beep', status: 'in-progress' });
    const amd = (await twilioLogsOf(stack.server.db, row.id)).filter((log) => log.event === 'amd');
    expect(amd.map((log) => log.outcome)).toEqual(['session_machine']);
    // Give a hang-up, were one asked for, time to reach the simulator: none comes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const call = await simCallOf(row);
    expect(call.updates).toEqual([]);
    expect(call.status).toBe('in-progress');
    expect((await readCall(stack.server.db, row.id)).status).toBe('in-progress');
    await legs.hangUp(noted);
    expect((await waitForEnd(stack.server.db, row.id)).status).toBe('voicemail_detected');
  });

  it('dropVoicemail: the machine, after its beep, hears the list’s message, then the call hangs up and ends voicemail_detected with one history row', async () => {
    const rep = await sessionRep();
    const { row } = await placeSessionCall(rep, { answerAfterMs: 30, answeredBy: 'machine_end_beep', verdictAfterMs: 60 });
    const machine = await verdict(row);
    const message = 'Hi, this is Ada from Analytical Engines & Co. Please call us back at 415 555 0199.';
    await legs.dropVoicemail(machine, message);
    const ended = await waitForEnd(stack.server.db, row.id);
    expect(ended).toMatchObject({ status: 'voicemail_detected', answered_by: 'machine_end_beep' });
    const call = await simCallOf(row);
    expect(updatesOf(call)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi, this is Ada from Analytical Engines &amp; Co. Please call us back at 415 555 0199.</Say><Hangup/></Response>',
    ]);
    expect(call.said).toEqual([message]);
    expect(call.updates).toEqual([]);
    expect(await historyOf(row.id)).toEqual([{ outcome: 'voicemail_detected', answered_by: 'machine_end_beep' }]);
    const exchanges = (await twilioLogsOf(stack.server.db, row.id)).filter((log) => log.event === 'calls.update');
    expect(exchanges.map((log) => [log.direction, log.outcome, log.payload['leg']])).toEqual([
      ['request', null, 'voicemail_drop'],
      ['response', 'updated', 'voicemail_drop'],
    ]);
  });

  it('dropVoicemail without a message hangs the machine up at once (Status=completed)', async () => {
    const rep = await sessionRep();
    const { row } = await placeSessionCall(rep, { answerAfterMs: 30, answeredBy: 'machine_end_silence', verdictAfterMs: 40 });
    await legs.dropVoicemail(await verdict(row), null);
    expect(await waitForEnd(stack.server.db, row.id)).toMatchObject({ status: 'voicemail_detected', answered_by: 'machine_end_silence' });
    const call = await simCallOf(row);
    expect(call.updates).toEqual(['completed']);
    expect(updatesOf(call)).toEqual([]);
  });

  it('bridge: the human is bridged to the rep’s browser with exactly the TwiML a hand-dialed call’s answer webhook gives', async () => {
    const rep = await sessionRep();
    const { row, to } = await placeSessionCall(rep, { answerAfterMs: 30, verdictAfterMs: 40, hangUpAfterMs: 1200 });
    const human = await verdict(row);
    await held(row);
    await legs.bridge(human);
    const call = await simCallOf(row, (c) => updatesOf(c).length > 0, 'the bridge');
    const [bridge] = updatesOf(call);
    expect(bridge).toMatch(new RegExp(`<Dial callerId="\\${to}" action="[^"]+/webhooks/twilio/dial-result\\?callId=${row.id}" method="POST" timeout="5"><Client>rep-${rep.userId}</Client></Dial>`));
    expect(bridge).toBe((await loadBridgeTwiml(stack.server.db, human, stack.server.url))?.twiml.toString());
    expect(await waitForEnd(stack.server.db, row.id)).toMatchObject({ status: 'completed', answered_by: 'human' });
    expect(await historyOf(row.id)).toEqual([{ outcome: 'completed', answered_by: 'human' }]);
    const exchanges = (await twilioLogsOf(stack.server.db, row.id)).filter((log) => log.event === 'calls.update');
    expect(exchanges.map((log) => log.payload['leg'])).toEqual(['bridge (dial_client; recording off)', 'bridge (dial_client; recording off)']);
  });

  it('bridge with a forward-to number: the browser rings first (20 s); when it does not take the call, dial-result dials the number', async () => {
    const rep = await sessionRep({ forward_to_number: '+1 (415) 555-0199' });
    stack.sim.setBehaviour({ repTakesCall: false });
    const { row, to } = await placeSessionCall(rep, { answerAfterMs: 30, verdictAfterMs: 40, hangUpAfterMs: 800 });
    await legs.bridge(await verdict(row));
    const call = await simCallOf(row, (c) => c.followUps.length > 0, 'the dial-result TwiML');
    expect(updatesOf(call)[0]).toMatch(/<Dial callerId="[^"]+" action="[^"]+\/dial-result\?callId=[0-9a-f-]+" method="POST" timeout="20"><Client>rep-/);
    expect(call.followUps).toEqual([`<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="${to}"><Number>+14155550199</Number></Dial></Response>`]);
    await waitForEnd(stack.server.db, row.id);
  });

  it('playSafeHarbor: the losing human hears the message inside a Gather whose key reaches the opt-out webhook; pressing it lists the number', async () => {
    const rep = await sessionRep();
    stack.sim.setBehaviour({ calleePresses: '9' });
    const { row, to } = await placeSessionCall(rep, { answerAfterMs: 30, verdictAfterMs: 40 });
    const human = await verdict(row);
    const message = 'This call was made for telemarketing purposes on behalf of Analytical Engines, and no representative is free to take it. To be added to our do-not-call list now, press 9.';
    await legs.playSafeHarbor(human, message);
    const ended = await waitForEnd(stack.server.db, row.id);
    expect(ended.status).toBe('completed');
    const call = await simCallOf(row);
    expect(updatesOf(call)[0]).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" timeout="5" action="${stack.server.url}/webhooks/twilio/opt-out?callId=${row.id}" method="POST" actionOnEmptyResult="false"><Say>${message}</Say></Gather><Hangup/></Response>`,
    );
    expect(call.said).toEqual([message]);
    const optOut = (await twilioLogsOf(stack.server.db, row.id)).filter((log) => log.event === 'opt-out');
    expect(optOut.map((log) => log.outcome)).toEqual(['do_not_call_added']);
    const listed = await stack.server.db.sql<{ source: string }>`select source from do_not_call_numbers where phone_number = ${to} and user_email = ${rep.email}`;
    expect(listed).toEqual([{ source: 'opt_out' }]);
  });

  it('playSafeHarbor without a key: the message plays, then the call hangs up', async () => {
    const rep = await sessionRep();
    const { row } = await placeSessionCall(rep, { answerAfterMs: 30, verdictAfterMs: 40 });
    await legs.playSafeHarbor(await verdict(row), 'No representative is free to take this call.');
    expect((await waitForEnd(stack.server.db, row.id)).status).toBe('completed');
    const call = await simCallOf(row);
    expect(call.said).toEqual(['No representative is free to take this call.']);
    expect(call.updates).toEqual([]);
  });

  it('hangUp cancels a line still ringing, completes an answered one, and a call already over is no failure', async () => {
    const rep = await sessionRep();
    const { row: ringing } = await placeSessionCall(rep, {}, 1);
    const ringingCall = await simCallOf(ringing, (c) => c.status === 'ringing', 'the ringing');
    await legs.hangUp(await readCall(stack.server.db, ringing.id));
    expect((await waitForEnd(stack.server.db, ringing.id)).status).toBe('canceled');
    expect(ringingCall.updates).toEqual(['canceled']);

    const { row: answered } = await placeSessionCall(rep, { answerAfterMs: 30, verdictAfterMs: 40 }, 2);
    const human = await verdict(answered);
    await legs.hangUp(human);
    expect((await waitForEnd(stack.server.db, answered.id)).status).toBe('completed');
    expect((await simCallOf(answered)).updates).toEqual(['completed']);

    // Over at Twilio: a redirect is refused with 21220 and a hang-up finds nothing to end; neither throws.
    const over = await readCall(stack.server.db, answered.id);
    await expect(legs.playSafeHarbor(over, 'Too late.')).resolves.toBeUndefined();
    await expect(legs.hangUp(over)).resolves.toBeUndefined();
    const last = (await twilioLogsOf(stack.server.db, answered.id)).filter((log) => log.event === 'calls.update' && log.direction === 'response').map((log) => log.outcome);
    expect(last.slice(-2)).toEqual(['not_in_progress', 'already_ended']);
  });
});

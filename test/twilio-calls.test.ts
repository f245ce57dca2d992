import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallStatus } from '../src/core/call-status.js';
import type { RecordingDecision } from '../src/core/recording-consent.js';
import type { CallLog, UserStats } from '../src/core/rows.js';
import { SIM_NUMBERS } from './twilio-sim/scenarios.js';
import type { SimCall } from './twilio-sim/twilio-sim.js';
import { countRows, insertLead, insertTwilioCall, invoke, waitForEnd, waitForStatus } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { waitFor } from './support/server.js';
import { placeTwilioCall, readCall, signUpProductionRep, startProductionStack, twilioLogsOf, waitForSimCall, type ProductionStack } from './support/twilio.js';

interface OutcomeCase {
  readonly name: string;
  readonly to: string;
  readonly enableAMD: boolean;
  readonly status: CallStatus;
  readonly leadStatus: string;
  readonly answeredBy: string | null;
  readonly isAnswered: boolean;
}

const OUTCOMES: readonly OutcomeCase[] = [
  { name: 'a person answers and hangs up', to: SIM_NUMBERS.human, enableAMD: true, status: 'completed', leadStatus: 'contacted', answeredBy: 'human', isAnswered: true },
  { name: 'a person answers (no AMD)', to: SIM_NUMBERS.human, enableAMD: false, status: 'completed', leadStatus: 'contacted', answeredBy: null, isAnswered: true },
  { name: 'a machine answers', to: SIM_NUMBERS.machine, enableAMD: true, status: 'voicemail_detected', leadStatus: 'voicemail', answeredBy: 'machine_start', isAnswered: true },
  { name: 'a machine answers (no AMD)', to: SIM_NUMBERS.machine, enableAMD: false, status: 'completed', leadStatus: 'contacted', answeredBy: null, isAnswered: true },
  { name: 'a fax answers', to: SIM_NUMBERS.fax, enableAMD: true, status: 'voicemail_detected', leadStatus: 'voicemail', answeredBy: 'fax', isAnswered: true },
  { name: 'the line is busy', to: SIM_NUMBERS.busy, enableAMD: true, status: 'busy', leadStatus: 'busy', answeredBy: null, isAnswered: false },
  { name: 'nobody answers', to: SIM_NUMBERS.noAnswer, enableAMD: true, status: 'no-answer', leadStatus: 'no_answer', answeredBy: null, isAnswered: false },
  { name: 'the carrier fails', to: SIM_NUMBERS.failed, enableAMD: false, status: 'failed', leadStatus: 'attempted', answeredBy: null, isAnswered: false },
];

describe.each(DATABASE_KINDS)('production mode through twilio-node against the local Twilio on %s', (kind) => {
  let stack: ProductionStack;
  beforeAll(async () => {
    stack = await startProductionStack(kind);
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each(OUTCOMES)('HI1 $name: the row ends $status with one history row, the lead status and stats', async (outcome) => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-outcome');
    const leadId = await insertLead(server.db, rep.email, 'Grace Hopper', outcome.to);
    const placed = await placeTwilioCall(rep.client, { to: outcome.to, userEmail: rep.email, leadId, enableAMD: outcome.enableAMD });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ success: true, callSid: expect.stringMatching(/^CA[0-9a-f]{32}$/) });
    // The answer carries the row as it was when the CallSid was stored: Twilio's first callbacks
    // may already have moved it (the simulator calls back as fast as Twilio may).
    expect(['dialing', 'ringing', 'in-progress', outcome.status]).toContain(placed.body['status']);
    const callId = placed.body['callId'] as string;
    const callSid = placed.body['callSid'] as string;

    const ended = await waitForEnd(server.db, callId);
    expect(ended).toMatchObject({ status: outcome.status, status_source: 'webhook', is_mock: false, provider: 'twilio', call_sid: callSid, answered_by: outcome.answeredBy, to_number: outcome.to });
    expect(ended.ended_at).toBeInstanceOf(Date);
    if (outcome.isAnswered) {
      expect(ended.answered_at).toBeInstanceOf(Date);
      // A machine may be hung up on within the second it answered.
      expect(ended.duration_seconds).toBeGreaterThanOrEqual(outcome.status === 'completed' ? 1 : 0);
    } else {
      expect(ended.answered_at).toBeNull();
      expect(ended.duration_seconds).toBe(0);
    }
    if (outcome.status === 'failed') expect(ended.last_error).toBe('Twilio reported that the call failed: SIP 503');
    else expect(ended.last_error).toBeNull();

    const logs = await server.db.sql<CallLog<Date>>`select * from call_logs where active_call_id = ${callId}`;
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ outcome: outcome.status, call_sid: callSid, lead_id: leadId, is_mock: false, provider: 'twilio', talk_seconds: ended.duration_seconds, answered_by: outcome.answeredBy });
    const [lead] = await server.db.sql<{ status: string; attempts: number }>`select status, attempts from leads where id = ${leadId}`;
    expect(lead).toEqual({ status: outcome.leadStatus, attempts: 1 });
    const [stats] = await server.db.sql<UserStats>`select * from user_stats where user_email = ${rep.email}`;
    expect(stats).toMatchObject({
      calls_made: 1,
      connects: outcome.status === 'completed' ? 1 : 0,
      voicemails: outcome.status === 'voicemail_detected' ? 1 : 0,
      busy: outcome.status === 'busy' ? 1 : 0,
      no_answers: outcome.status === 'no-answer' ? 1 : 0,
      failed: outcome.status === 'failed' ? 1 : 0,
    });

    // What Twilio was asked: callbacks for every progress event, and AMD only when enabled.
    const create = sim.requests.find((request) => request.callSid === callSid && request.path.endsWith('/Calls.json'));
    expect(create?.status).toBe(201);
    expect(create?.params).toMatchObject({ StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'], StatusCallbackMethod: 'POST', From: sim.fromNumber });
    expect(create?.ignored).toEqual([]);
    if (outcome.enableAMD) expect(create?.params).toMatchObject({ MachineDetection: 'Enable', AsyncAmd: 'true' });
    else expect(create?.params['MachineDetection']).toBeUndefined();
    // A machine with the default voicemail action `hangup` is hung up on at once.
    const simCall = sim.calls.get(callSid);
    expect(simCall?.updates).toEqual(outcome.status === 'voicemail_detected' ? ['completed'] : []);

    const exchanges = await twilioLogsOf(server.db, callId);
    expect(exchanges.slice(0, 2).map((e) => [e.direction, e.event, e.outcome])).toEqual([
      ['request', 'calls.create', null],
      ['response', 'calls.create', 'created'],
    ]);
    const statusWebhooks = exchanges.filter((e) => e.direction === 'webhook' && e.event === 'status');
    expect(statusWebhooks.length).toBeGreaterThanOrEqual(2);
    expect(statusWebhooks.every((e) => e.call_sid === callSid && e.sequence_number !== null)).toBe(true);
  });

  it('the answered call is bridged to the rep’s browser; with a forward-to number the browser rings first, then the number', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-bridge');
    const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.human, userEmail: rep.email });
    const call = await waitForSimCall(sim, placed.body['callSid'] as string, (c) => c.twiml !== undefined, 'the answer TwiML');
    // Without a number to go on to, the browser gets a few seconds; then dial-result plays the safe-harbor message.
    expect(call.twiml).toMatch(new RegExp(`<Dial callerId="\\${SIM_NUMBERS.human}" action="[^"]+/webhooks/twilio/dial-result\\?callId=[0-9a-f-]+" method="POST" timeout="5"><Client>rep-${rep.userId}</Client></Dial>`));
    expect(call.said).toEqual([]);

    const forwarding = await signUpProductionRep(server, 'twilio-forward', { forward_to_number: '+1 (415) 555-0199' });
    const forwarded = await placeTwilioCall(forwarding.client, { to: SIM_NUMBERS.human, userEmail: forwarding.email });
    const forwardedCall = await waitForSimCall(sim, forwarded.body['callSid'] as string, (c) => c.twiml !== undefined, 'the answer TwiML');
    expect(forwardedCall.twiml).toMatch(/<Dial callerId="\+14155550100" action="[^"]+\/webhooks\/twilio\/dial-result\?callId=[0-9a-f-]+" method="POST" timeout="20"><Client>rep-/);
    await waitForEnd(server.db, forwarded.body['callId'] as string);
  });

  /** A call row as the dial gate leaves it (its recording decision taken), placed at Twilio by the provider. */
  async function placeDecidedCall(recordingDecision: RecordingDecision, prefix: string) {
    const { server } = stack;
    const rep = await signUpProductionRep(server, prefix);
    const row = await insertTwilioCall(server.db, { userEmail: rep.email, callSid: null, toNumber: SIM_NUMBERS.human, recordingEnabled: recordingDecision !== 'off' });
    await server.db.sql`update active_calls set recording_decision = ${recordingDecision} where id = ${row.id}`;
    const placed = await server.twilio?.placeCall(await readCall(server.db, row.id));
    if (!placed?.ok) throw new Error(`not placed: ${JSON.stringify(placed)}`);
    return { rep, callId: row.id, callSid: placed.value.call_sid ?? '' };
  }

  it('recorded_after_notice: the consent notice plays first, then the bridged call is recorded from the rep’s answer; the URL lands on the row and its history row', async () => {
    const { server, sim } = stack;
    const { callId, callSid } = await placeDecidedCall('recorded_after_notice', 'twilio-record-notice');
    const recorded = await waitForEndWith(server, callId, (row) => row.recording_url !== null);
    expect(recorded.recording_url).toMatch(new RegExp(`^${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Recordings/RE[0-9a-f]{32}$`));
    const [log] = await server.db.sql<{ recording_url: string; recording_decision: string }>`select recording_url, recording_decision from call_logs where active_call_id = ${callId}`;
    expect(log).toEqual({ recording_url: recorded.recording_url, recording_decision: 'recorded_after_notice' });
    // Nothing is recorded from the call's creation: the recording starts at the bridge, after the notice.
    const create = sim.requests.find((r) => r.callSid === callSid && r.path.endsWith('/Calls.json'));
    expect(create?.params['Record']).toBeUndefined();
    const call = sim.calls.get(callSid);
    expect(call?.said).toEqual(['This call may be recorded.']);
    expect(call?.twiml).toMatch(/<Response><Say>This call may be recorded\.<\/Say><Dial [^>]*record="record-from-answer-dual" recordingStatusCallback="[^"]+\/webhooks\/twilio\/recording\?callId=[0-9a-f-]+" recordingStatusCallbackMethod="POST" recordingStatusCallbackEvent="completed"><Client>/);
    // The row has the URL once the webhook committed; the simulator notes the delivery when its answer arrives.
    const recording = await waitFor(async () => sim.deliveries.find((d) => d.callSid === callSid && d.kind === 'recording' && d.status !== undefined));
    expect(recording).toMatchObject({ status: 200, params: { RecordingSource: 'DialVerb', RecordingChannels: '2', RecordingStatus: 'completed' } });
  });

  it('recorded: no notice, the bridged call is recorded; not_recorded_consent and off: nothing is recorded', async () => {
    const { server, sim } = stack;
    const recorded = await placeDecidedCall('recorded', 'twilio-record-one-party');
    const withRecording = await waitForEndWith(server, recorded.callId, (row) => row.recording_url !== null);
    expect(withRecording.recording_url).not.toBeNull();
    expect(sim.calls.get(recorded.callSid)?.said).toEqual([]);
    expect(sim.calls.get(recorded.callSid)?.twiml).toContain('record="record-from-answer-dual"');

    for (const decision of ['not_recorded_consent', 'off'] as const) {
      const { callId, callSid } = await placeDecidedCall(decision, `twilio-no-record-${decision}`);
      const ended = await waitForEnd(server.db, callId);
      const call = await waitForSimCall(sim, callSid, (c) => c.endMs !== undefined);
      expect(call.twiml, decision).not.toContain('record=');
      expect(call.said, decision).toEqual([]);
      expect(call.dialRecording, decision).toBeUndefined();
      // Any recording would have been sent before the end's callbacks were answered; none was.
      await waitFor(() => twilioLogsOf(server.db, callId).then((logs) => logs.find((l) => l.event === 'status' && l.payload['CallStatus'] === 'completed')));
      expect(sim.deliveries.filter((d) => d.callSid === callSid && d.kind === 'recording'), decision).toEqual([]);
      expect(ended.recording_url, decision).toBeNull();
    }
  });

  it('the rep’s browser does not take the call and there is no forward-to number: the callee hears the safe-harbor message, the call is abandoned, history says so', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-safe-harbor');
    const [member] = await server.db.sql<{ workspace_id: string }>`select workspace_id from workspace_members where user_email = ${rep.email}`;
    await server.db.sql`update workspaces set safe_harbor_caller_name = 'Acme Solar' where id = ${member?.workspace_id ?? null}`;
    sim.setBehaviour({ repTakesCall: false });
    try {
      const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.humanStays, userEmail: rep.email });
      const callId = placed.body['callId'] as string;
      const callSid = placed.body['callSid'] as string;
      const ended = await waitForEndWith(server, callId, (row) => row.status === 'completed');
      const simCall = await waitForSimCall(sim, callSid, (c) => c.status === 'completed');
      // The message names the workspace's caller and the call's caller ID, then Twilio hangs up.
      expect(simCall.said).toEqual([
        'This call was made for telemarketing purposes on behalf of Acme Solar, and no representative is free to take it. ' +
          'To ask Acme Solar not to call you again, call 5 0 0, 5 5 5, 0 0 0 6. To be added to our do-not-call list now, press 9.',
      ]);
      expect(simCall.followUps).toHaveLength(1);
      expect(simCall.followUps[0]).toMatch(/<Response><Gather [^>]*action="[^"]+\/webhooks\/twilio\/opt-out\?callId=[0-9a-f-]+"[^>]*><Say>This call was made[^<]+<\/Say><\/Gather><Hangup\/><\/Response>/);
      const action = sim.deliveries.find((d) => d.callSid === callSid && d.kind === 'dial-action');
      expect(action).toMatchObject({ status: 200, params: { DialCallStatus: 'no-answer' } });
      // The callee hung up on Twilio's Hangup, not on the rep: the call is complete, abandoned, with the message's time.
      const [row] = await server.db.sql<{ abandoned_at: Date | null; safe_harbor_at: Date | null; connected_at: Date | null }>`
        select abandoned_at, safe_harbor_at, connected_at from active_calls where id = ${callId}`;
      expect(row?.abandoned_at).toBeInstanceOf(Date);
      expect(row?.safe_harbor_at).toEqual(row?.abandoned_at);
      expect(row?.connected_at).toBeNull();
      expect(ended.answered_at).toBeInstanceOf(Date);
      const history = await server.db.sql`select outcome, abandoned_at, safe_harbor_at, connected_at from call_logs where active_call_id = ${callId}`;
      expect(history).toEqual([{ outcome: 'completed', abandoned_at: row?.abandoned_at, safe_harbor_at: row?.safe_harbor_at, connected_at: null }]);
      const events = await server.db.sql`select kind, rule, phone_number from compliance_events where call_id = ${callId}`;
      expect(events).toEqual([{ kind: 'abandoned', rule: 'rep_unavailable', phone_number: SIM_NUMBERS.humanStays }]);
      const logs = await twilioLogsOf(server.db, callId);
      expect(logs.filter((l) => l.event === 'dial-result').map((l) => l.outcome)).toEqual(['safe_harbor']);
    } finally {
      sim.setBehaviour({ repTakesCall: true });
    }
  });

  it('the abandoned callee presses the opt-out key during the message: the number goes on the workspace’s do-not-call list and the call ends', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-opt-out');
    sim.setBehaviour({ repTakesCall: false, calleePresses: '9' });
    try {
      const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.humanStays, userEmail: rep.email, lineNumber: 3 });
      const callSid = placed.body['callSid'] as string;
      await waitForEnd(server.db, placed.body['callId'] as string);
      const simCall = await waitForSimCall(sim, callSid, (c) => c.followUps.length === 2, 'the opt-out TwiML');
      expect(simCall.followUps[1]).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
      expect(sim.deliveries.find((d) => d.callSid === callSid && d.kind === 'gather')).toMatchObject({ status: 200, params: { Digits: '9' } });
      const listed = await server.db.sql`select d.source from do_not_call_numbers d join workspace_members m on m.workspace_id = d.workspace_id
        where m.user_email = ${rep.email} and d.phone_number = ${SIM_NUMBERS.humanStays}`;
      // The callee's own request, not the rep's hand (it was recorded as source manual).
      expect(listed).toEqual([{ source: 'opt_out' }]);
      const [event] = await server.db.sql<{ rule: string; message: string }>`
        select rule, message from compliance_events where user_email = ${rep.email} and kind = 'dnc_added' and phone_number = ${SIM_NUMBERS.humanStays}`;
      expect(event).toEqual({ rule: 'opt_out', message: 'Added to the do-not-call list by the callee, who pressed the opt-out key during the safe-harbor message.' });
      // The next dial of that number is refused by the gate.
      const again = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.humanStays, userEmail: rep.email, lineNumber: 3 });
      expect(again).toMatchObject({ status: 409, body: { code: 'do_not_call' } });
    } finally {
      sim.setBehaviour({ repTakesCall: true, calleePresses: undefined });
    }
  });

  it('with a forward-to number, the browser’s failure sends the call on to the number (no message, not abandoned)', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-forward-on', { forward_to_number: '+1 (415) 555-0199' });
    sim.setBehaviour({ repTakesCall: false });
    try {
      const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.human, userEmail: rep.email });
      const callSid = placed.body['callSid'] as string;
      const simCall = await waitForSimCall(sim, callSid, (c) => c.followUps.length > 0, 'the dial-result TwiML');
      expect(simCall.followUps[0]).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="+14155550100"><Number>+14155550199</Number></Dial></Response>');
      expect(simCall.said).toEqual([]);
      const ended = await waitForEnd(server.db, placed.body['callId'] as string);
      const [row] = await server.db.sql<{ abandoned_at: Date | null }>`select abandoned_at from active_calls where id = ${ended.id}`;
      expect(row?.abandoned_at).toBeNull();
    } finally {
      sim.setBehaviour({ repTakesCall: true });
    }
  });

  it('with voicemail action `leave` a machine is not hung up on: the rep leaves a message, then the call ends as voicemail', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-leave', { voicemail_action: 'leave' });
    const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.machine, userEmail: rep.email, enableAMD: true });
    const callId = placed.body['callId'] as string;
    // The verdict and the answer come in separate callbacks, in either order (TR3): wait for both.
    const detected = await waitForEndWith(server, callId, (row) => row.answered_by !== null && row.status !== 'ringing' && row.status !== 'dialing', false);
    expect(detected).toMatchObject({ status: 'in-progress', answered_by: 'machine_end_beep' });
    const ended = await waitForEnd(server.db, callId);
    expect(ended).toMatchObject({ status: 'voicemail_detected', answered_by: 'machine_end_beep' });
    expect(sim.calls.get(placed.body['callSid'] as string)?.updates).toEqual([]);
    expect(sim.calls.get(placed.body['callSid'] as string)?.params['MachineDetection']).toBe('DetectMessageEnd');
  });

  it('twilioEndCall cancels a ringing call and completes an answered one at Twilio, and says so when it had ended', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-end');
    const ringing = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.ringsOn, userEmail: rep.email });
    await waitForStatus(server.db, ringing.body['callId'] as string, (s) => s === 'ringing');
    const canceled = await invoke(rep.client, 'twilioEndCall', { callSid: ringing.body['callSid'], userEmail: rep.email });
    expect(canceled).toMatchObject({ status: 200, body: { ended: true, status: 'canceled' } });
    const canceledAtTwilio = await waitForSimCall(sim, ringing.body['callSid'] as string, (c) => c.status === 'canceled');
    expect(canceledAtTwilio.updates).toEqual(['canceled']);

    const talking = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.humanStays, userEmail: rep.email, lineNumber: 2 });
    const talkingId = talking.body['callId'] as string;
    await waitForStatus(server.db, talkingId, (s) => s === 'in-progress');
    const completed = await invoke(rep.client, 'twilioEndCall', { callSid: talking.body['callSid'], userEmail: rep.email });
    expect(completed).toMatchObject({ status: 200, body: { ended: true, status: 'completed' } });
    const completedAtTwilio = await waitForSimCall(sim, talking.body['callSid'] as string, (c) => c.status === 'completed');
    expect(completedAtTwilio.updates).toEqual(['completed']);

    const again = await invoke(rep.client, 'twilioEndCall', { callSid: talking.body['callSid'], userEmail: rep.email });
    expect(again).toMatchObject({ status: 200, body: { ended: false, status: 'completed' } });
    // Twilio's completed callback for the call changes nothing: one history row, written by the rep's hang-up.
    await waitFor(() => twilioLogsOf(server.db, talkingId).then((logs) => logs.find((l) => l.event === 'status' && l.payload['CallStatus'] === 'completed')));
    const history = await server.db.sql`select outcome, status_source from call_logs where active_call_id = ${talkingId}`;
    expect(history).toEqual([{ outcome: 'completed', status_source: 'manual' }]);
  });

  it('endRepCall: a manager ends a rep’s answered call at Twilio as the rep’s hang-up would, audited', async () => {
    const { server, sim } = stack;
    const admin = await server.signUp('twilio-admin');
    const manager = await server.signUpInto(admin.client, 'manager');
    const rep = await server.signUpInto(admin.client, 'rep');
    expect((await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { use_mock_dialer: false } })).status).toBe(200);
    const talking = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.humanStays, userEmail: rep.email });
    const callId = talking.body['callId'] as string;
    await waitForStatus(server.db, callId, (s) => s === 'in-progress');
    const ended = await invoke(manager.client, 'endRepCall', { callId });
    expect(ended).toMatchObject({ status: 200, body: { ended: true, endRequested: true } });
    const completedAtTwilio = await waitForSimCall(sim, talking.body['callSid'] as string, (c) => c.status === 'completed');
    expect(completedAtTwilio.updates).toEqual(['completed']);
    expect((await waitForEnd(server.db, callId)).status).toBe('completed');
    const audit = await server.db.sql`select user_email, target, details->>'provider' as provider from audit_log where action = 'call.ended_by_manager' and details->>'callId' = ${callId}`;
    expect(audit).toEqual([{ user_email: manager.email, target: rep.email, provider: 'twilio' }]);
  });

  it('TR3 ending a call Twilio had already ended (Twilio error 21220) is tolerated, and the row ends as Twilio’s Call resource says', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-late-end');
    // The callbacks of this call are lost, so our row still says in-progress after Twilio ended it.
    sim.setDelivery({ drop: (callback) => callback.kind === 'status' && callback.params['CallStatus'] === 'completed' });
    try {
      const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.human, userEmail: rep.email });
      const callSid = placed.body['callSid'] as string;
      const simCall = await waitForSimCall(sim, callSid, (c) => c.status === 'completed');
      const ended = await invoke(rep.client, 'twilioEndCall', { callSid, userEmail: rep.email });
      expect(ended).toMatchObject({ status: 200, body: { ended: true, status: 'completed' } });
      const logs = await waitFor(() => twilioLogsOf(server.db, placed.body['callId'] as string).then((l) => (l.some((e) => e.event === 'calls.update' && e.direction === 'response') ? l : undefined)));
      expect(logs.find((e) => e.event === 'calls.update' && e.direction === 'response')).toMatchObject({ outcome: 'already_ended', payload: { twilioCode: 21220 } });
      // TR3 the row ends as Twilio's Call resource says (fetched after the 21220), not at the moment of the request.
      const row = await readCall(server.db, placed.body['callId'] as string);
      const twilioEnd = twilioTimeOf(simCall.endMs, row.started_at);
      expect(row).toMatchObject({ status: 'completed', status_source: 'manual', duration_seconds: twilioDurationOf(simCall), ended_at: twilioEnd });
      const history = await server.db.sql`select outcome, talk_seconds, ended_at from call_logs where active_call_id = ${row.id}`;
      expect(history).toEqual([{ outcome: 'completed', talk_seconds: twilioDurationOf(simCall), ended_at: twilioEnd }]);
    } finally {
      sim.setDelivery({ drop: () => false });
    }
  });

  it('TR3 a rep who hangs up just as the callee answers: history shows Twilio’s completed call and its duration, not canceled', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-answer-on-cancel');
    sim.setBehaviour({ answerOnCancel: true });
    try {
      const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.ringsOn, userEmail: rep.email });
      const callId = placed.body['callId'] as string;
      const callSid = placed.body['callSid'] as string;
      await waitForStatus(server.db, callId, (s) => s === 'ringing');
      const ended = await invoke(rep.client, 'twilioEndCall', { callSid, userEmail: rep.email });
      // The cancel found the call answered and left it up (Twilio's rule); the hang-up that followed ended it.
      expect(ended).toMatchObject({ status: 200, body: { ended: true, endRequested: true, status: 'completed' } });
      const simCall = await waitForSimCall(sim, callSid, (c) => c.status === 'completed');
      expect(simCall.updates).toEqual(['canceled', 'completed']);
      const row = await waitForEnd(server.db, callId);
      expect(row).toMatchObject({ status: 'completed', status_source: 'manual', duration_seconds: twilioDurationOf(simCall), ended_at: twilioTimeOf(simCall.endMs, row.started_at) });
      expect(row.end_requested_at).toBeInstanceOf(Date);
      // Twilio's own callbacks, whenever they come, agree and change nothing.
      await waitFor(() => twilioLogsOf(server.db, callId).then((logs) => logs.find((l) => l.event === 'status' && l.payload['CallStatus'] === 'completed')));
      expect(await readCall(server.db, callId)).toEqual(row);
      const history = await server.db.sql`select outcome, status_source, talk_seconds from call_logs where active_call_id = ${callId}`;
      expect(history).toEqual([{ outcome: 'completed', status_source: 'manual', talk_seconds: twilioDurationOf(simCall) }]);
      const [stats] = await server.db.sql<UserStats>`select * from user_stats where user_email = ${rep.email}`;
      expect(stats).toMatchObject({ calls_made: 1, connects: 1, canceled: 0 });
    } finally {
      sim.setBehaviour({ answerOnCancel: false });
    }
  });

  it('TR3 Twilio sends completed without AnsweredBy before the machine verdict: the call waits for it and ends voicemail_detected', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-late-verdict');
    const leadId = await insertLead(server.db, rep.email, 'Grace Hopper', SIM_NUMBERS.machine);
    sim.setBehaviour({ verdictAfterEnd: true });
    try {
      const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.machine, userEmail: rep.email, leadId, enableAMD: true });
      const callId = placed.body['callId'] as string;
      const callSid = placed.body['callSid'] as string;
      const ended = await waitForEnd(server.db, callId);
      const simCall = await waitForSimCall(sim, callSid, (c) => c.endMs !== undefined);
      expect(ended).toMatchObject({ status: 'voicemail_detected', status_source: 'webhook', answered_by: 'machine_start', duration_seconds: twilioDurationOf(simCall) });
      // Twilio's order: the completed callback, without a verdict, then the AMD callback.
      const sentOf = () => sim.deliveries.filter((d) => d.callSid === callSid && (d.kind === 'amd' || d.params['CallStatus'] === 'completed'));
      const sent = await waitFor(async () => (sentOf().length === 2 ? sentOf() : undefined));
      expect(sent.map((d) => [d.kind, d.params['AnsweredBy']])).toEqual([
        ['status', undefined],
        ['amd', 'machine_start'],
      ]);
      const logs = await twilioLogsOf(server.db, callId);
      expect(logs.filter((l) => l.direction === 'webhook' && (l.event === 'amd' || l.payload['CallStatus'] === 'completed')).map((l) => l.outcome)).toEqual(['awaiting_verdict', 'machine_finished_call']);
      const history = await server.db.sql`select outcome, answered_by from call_logs where active_call_id = ${callId}`;
      expect(history).toEqual([{ outcome: 'voicemail_detected', answered_by: 'machine_start' }]);
      const [lead] = await server.db.sql`select status from leads where id = ${leadId}`;
      expect(lead).toEqual({ status: 'voicemail' });
      const [stats] = await server.db.sql<UserStats>`select * from user_stats where user_email = ${rep.email}`;
      expect(stats).toMatchObject({ calls_made: 1, connects: 0, voicemails: 1 });
    } finally {
      sim.setBehaviour({ verdictAfterEnd: false });
    }
  });

  it('twilioVoiceToken gives the rep a Voice access token for the identity the answer TwiML dials', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'twilio-token');
    const result = await invoke(rep.client, 'twilioVoiceToken', { userEmail: rep.email });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ identity: `rep-${rep.userId}`, expiresInSeconds: 3600 });
    const claims = decodeJwt(result.body['token'] as string);
    expect(claims).toMatchObject({ iss: 'SK11111111111111111111111111111111', sub: sim.accountSid, grants: { identity: `rep-${rep.userId}`, voice: { incoming: { allow: true } } } });
    const other = await invoke(rep.client, 'twilioVoiceToken', { userEmail: 'someone-else@example.com' });
    expect(other).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });

  it('one live call per line holds in production mode too', async () => {
    const { server } = stack;
    const rep = await signUpProductionRep(server, 'twilio-lines');
    const first = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.ringsOn, userEmail: rep.email });
    const before = await countRows(server.db, 'active_calls');
    const clash = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.human, userEmail: rep.email });
    expect(clash).toMatchObject({ status: 409, body: { code: 'line_busy' } });
    expect(await countRows(server.db, 'active_calls')).toBe(before);
    await invoke(rep.client, 'twilioEndCall', { callSid: first.body['callSid'], userEmail: rep.email });
  });
});

/** Twilio's whole-second time for a simulator instant, as its callbacks and Call resource give it; never before the row's start. */
const twilioTimeOf = (ms: number | undefined, notBefore: Date) => (ms === undefined ? undefined : new Date(Math.max(Math.floor(ms / 1000) * 1000, notBefore.getTime())));
const twilioDurationOf = (call: SimCall) => (call.answerMs === undefined || call.endMs === undefined ? 0 : Math.floor(call.endMs / 1000) - Math.floor(call.answerMs / 1000));

/** Waits until the row satisfies `wanted` (by default also terminal). */
async function waitForEndWith(server: ProductionStack['server'], callId: string, wanted: (row: Awaited<ReturnType<typeof readCall>>) => boolean, mustHaveEnded = true) {
  return waitFor(async () => {
    const row = await readCall(server.db, callId);
    return wanted(row) && (!mustHaveEnded || row.ended_at !== null) ? row : undefined;
  });
}

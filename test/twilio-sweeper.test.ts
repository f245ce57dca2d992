import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCallEnd, updateCallStatus } from '../src/db/active-calls.js';
import type { Database } from '../src/db/database.js';
import { createTwilioClient } from '../src/telephony/twilio/twilio-client.js';
import { UNCONFIRMED_ERROR, UNKNOWN_AT_TWILIO_ERROR } from '../src/telephony/twilio/twilio-provider.js';
import { twilioWebhookUrl } from '../src/webhooks/twilio-webhook-urls.js';
import { SIM_NUMBERS } from './twilio-sim/scenarios.js';
import { insertTwilioCall, waitForEnd, waitForStatus } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { placeTwilioCall, readCall, signUpProductionRep, startProductionStack, twilioConfigFor, twilioLogsOf, waitForSimCall, type ProductionStack } from './support/twilio.js';

const insertTwilioRow = (db: Database, callSid: string | null) =>
  insertTwilioCall(db, { userEmail: `sweep-${randomBytes(4).toString('hex')}@example.com`, callSid, toNumber: SIM_NUMBERS.ringsOn });

describe.each(DATABASE_KINDS)('RS1 the sweeper finishes calls whose webhooks stopped, from Twilio’s state, on %s', (kind) => {
  let stack: ProductionStack;
  beforeAll(async () => {
    stack = await startProductionStack(kind, {
      sim: { delivery: { drop: (callback) => callback.kind === 'status' && ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(callback.params['CallStatus'] ?? '') } },
      server: { sweep: { sweepIntervalMs: 100, staleAfterMs: 300, unconfirmedAfterMs: 0 } },
    });
    await stack.server.twilio?.recoverUnfinishedCalls();
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each([
    [SIM_NUMBERS.human, false, 'completed', null],
    // The rep's voicemail action is `leave`: AMD waits for the greeting's end.
    [SIM_NUMBERS.machine, true, 'voicemail_detected', 'machine_end_beep'],
    [SIM_NUMBERS.busy, false, 'busy', null],
  ] as const)('RS1 the final callback of a call to %s is lost: the sweeper fetches it and the row ends as Twilio says', async (to, enableAMD, status, answeredBy) => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'sweep', { voicemail_action: 'leave' });
    const placed = await placeTwilioCall(rep.client, { to, userEmail: rep.email, enableAMD });
    const callId = placed.body['callId'] as string;
    await waitForSimCall(sim, placed.body['callSid'] as string, (c) => c.endMs !== undefined);
    const ended = await waitForEnd(server.db, callId);
    expect(ended).toMatchObject({ status, status_source: 'system', answered_by: answeredBy, last_error: null });
    if (status !== 'busy') {
      expect(ended.answered_at).toBeInstanceOf(Date);
      expect(ended.duration_seconds).toBeGreaterThanOrEqual(status === 'completed' ? 1 : 0);
    }
    const history = await server.db.sql`select outcome, status_source from call_logs where active_call_id = ${callId}`;
    expect(history).toEqual([{ outcome: status, status_source: 'system' }]);
    const fetches = (await twilioLogsOf(server.db, callId)).filter((l) => l.event === 'calls.fetch' && l.direction === 'response');
    expect(fetches.at(-1)).toMatchObject({ outcome: 'moved', payload: { status: to === SIM_NUMBERS.machine ? 'completed' : status } });
  });

  it('RS1 a call Twilio never confirmed (no CallSid) ends failed, saying why', async () => {
    const row = await insertTwilioRow(stack.server.db, null);
    await stack.server.twilio?.reconcile();
    expect(await readCall(stack.server.db, row.id)).toMatchObject({ status: 'failed', status_source: 'system', last_error: UNCONFIRMED_ERROR });
  });

  it('RS1 a call Twilio has no record of (20404) ends failed, saying why', async () => {
    const row = await insertTwilioRow(stack.server.db, `CA${randomBytes(16).toString('hex')}`);
    await stack.server.twilio?.reconcile();
    expect(await readCall(stack.server.db, row.id)).toMatchObject({ status: 'failed', status_source: 'system', last_error: UNKNOWN_AT_TWILIO_ERROR });
  });

  it('a call we gave up on that turns up alive at Twilio is ended there', async () => {
    const { server, sim } = stack;
    const row = await insertTwilioRow(server.db, null);
    await updateCallStatus(server.db, row.id, { status: 'failed', statusSource: 'system', lastError: 'Twilio did not answer in time, so the call was given up.' });
    // Twilio had in fact created it, and its callbacks name our call.
    const created = await createTwilioClient(twilioConfigFor(sim)).calls.create({
      to: SIM_NUMBERS.ringsOn,
      from: sim.fromNumber,
      url: twilioWebhookUrl(server.url, 'answer', row.id),
      statusCallback: twilioWebhookUrl(server.url, 'status', row.id),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    const ended = await waitForSimCall(sim, created.sid, (c) => c.status === 'canceled', 'Twilio to cancel the call');
    expect(ended.updates).toContain('canceled');
    expect(await readCall(server.db, row.id)).toMatchObject({ status: 'failed', call_sid: created.sid });
  });
});

describe.each(DATABASE_KINDS)('TR3 the sweep is the backstop for an end that waits on Twilio, on %s', (kind) => {
  let stack: ProductionStack;
  beforeAll(async () => {
    stack = await startProductionStack(kind, {
      // Twilio sends completed before the AMD verdict, and every AMD callback is lost.
      sim: { behaviour: { verdictAfterEnd: true }, delivery: { drop: (callback) => callback.kind === 'amd' } },
      server: { sweep: { sweepIntervalMs: 100, verdictWaitMs: 400, endConfirmAfterMs: 300 } },
    });
    await stack.server.twilio?.recoverUnfinishedCalls();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('TR3 an answered call whose verdict never comes waits, then ends as Twilio’s Call resource says (its answered_by)', async () => {
    const { server } = stack;
    const rep = await signUpProductionRep(server, 'sweep-verdict', { voicemail_action: 'leave' });
    const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.machine, userEmail: rep.email, enableAMD: true });
    const callId = placed.body['callId'] as string;
    const ended = await waitForEnd(server.db, callId);
    // The rep leaves messages, so detection waited for the beep.
    expect(ended).toMatchObject({ status: 'voicemail_detected', status_source: 'system', answered_by: 'machine_end_beep', reported_status: 'completed' });
    const logs = (await twilioLogsOf(server.db, callId)).filter((l) => l.direction !== 'request');
    const completed = logs.findIndex((l) => l.event === 'status' && l.payload['CallStatus'] === 'completed');
    expect(logs[completed]?.outcome).toBe('awaiting_verdict');
    expect(logs.slice(completed).filter((l) => l.event === 'calls.fetch').map((l) => l.outcome)).toEqual(['moved']);
    const history = await server.db.sql`select outcome, status_source, answered_by from call_logs where active_call_id = ${callId}`;
    expect(history).toEqual([{ outcome: 'voicemail_detected', status_source: 'system', answered_by: 'machine_end_beep' }]);
  });

  it('TR3 a call the rep asked to end that Twilio did not end (the request was lost) is asked again by the sweep, and ends as Twilio says', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'sweep-end');
    const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.humanStays, userEmail: rep.email });
    const callId = placed.body['callId'] as string;
    const callSid = placed.body['callSid'] as string;
    await waitForStatus(server.db, callId, (status) => status === 'in-progress');
    // The rep's request is noted, but Twilio never hears of it.
    expect(await requestCallEnd(server.db, callId)).toMatchObject({ status: 'in-progress' });
    const ended = await waitForEnd(server.db, callId);
    expect(ended).toMatchObject({ status: 'completed', status_source: 'manual' });
    expect(sim.calls.get(callSid)?.updates).toEqual(['completed']);
    const history = await server.db.sql`select outcome, status_source from call_logs where active_call_id = ${callId}`;
    expect(history).toEqual([{ outcome: 'completed', status_source: 'manual' }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallLog } from '../src/core/rows.js';
import { countRows, fastConfig, insertLead, invoke, waitForEnd } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { placeTwilioCall, readCall, signUpProductionRep, startProductionStack, waitForSimCall, type ProductionStack } from './support/twilio.js';
import { SIM_NUMBERS } from './twilio-sim/scenarios.js';

const historyOf = async (stack: ProductionStack, callId: string) =>
  stack.server.db.sql<CallLog<Date>>`select * from call_logs where active_call_id = ${callId}`;

describe.each(DATABASE_KINDS)('IN2 extensions are kept apart from the number and dialed after the answer, on %s', (kind) => {
  let stack: ProductionStack;
  beforeAll(async () => {
    stack = await startProductionStack(kind);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('IN2 a demo call to "+49 30 1234567 ext. 89" stores +49301234567 and 89 apart, and so does its history row', async () => {
    const { server } = stack;
    const rep = await server.signUp('ext-demo');
    const placed = await invoke(rep.client, 'mockDialerCall', { to: '+49 30 1234567 ext. 89', userEmail: rep.email, lineNumber: 1, enableAMD: true, mockConfig: fastConfig('completed') });
    expect(placed.status).toBe(200);
    const callId = placed.body['callId'] as string;
    // A switchboard would be taken for a machine, and Twilio ignores AMD beside SendDigits.
    expect(await readCall(server.db, callId)).toMatchObject({ to_number: '+49301234567', extension: '89', amd_enabled: false });
    const ended = await waitForEnd(server.db, callId);
    expect(ended).toMatchObject({ status: 'completed', to_number: '+49301234567', extension: '89' });
    const history = await historyOf(stack, callId);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ to_number: '+49301234567', extension: '89', outcome: 'completed' });
  });

  it('IN2 a Twilio call with an extension asks Twilio for SendDigits, which the simulator plays after the answer', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'ext-twilio');
    const placed = await placeTwilioCall(rep.client, { to: `tel:${SIM_NUMBERS.human};ext=89`, userEmail: rep.email, enableAMD: true });
    expect(placed.status).toBe(200);
    const callId = placed.body['callId'] as string;
    const callSid = placed.body['callSid'] as string;

    const simCall = await waitForSimCall(sim, callSid, (call) => call.sentDigits !== undefined, 'the extension played after the answer');
    expect(simCall.to).toBe(SIM_NUMBERS.human);
    expect(simCall.params['SendDigits']).toBe('ww89');
    expect(simCall.params['MachineDetection']).toBeUndefined();
    expect(simCall.sentDigits).toBe('ww89');
    expect(simCall.answerMs).toBeDefined();

    const ended = await waitForEnd(server.db, callId);
    expect(ended).toMatchObject({ status: 'completed', to_number: SIM_NUMBERS.human, extension: '89', amd_enabled: false, status_source: 'webhook' });
    expect(await historyOf(stack, callId)).toEqual([expect.objectContaining({ to_number: SIM_NUMBERS.human, extension: '89' })]);
  });

  it('IN2 a call without an extension sends no SendDigits and keeps its AMD', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'ext-none');
    const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.human, userEmail: rep.email, enableAMD: true });
    expect(placed.status).toBe(200);
    const simCall = await waitForSimCall(sim, placed.body['callSid'] as string, (call) => call.answerMs !== undefined);
    expect(simCall.params['SendDigits']).toBeUndefined();
    expect(simCall.params['MachineDetection']).toBe('Enable');
    expect(await readCall(server.db, placed.body['callId'] as string)).toMatchObject({ extension: null, amd_enabled: true });
  });

  it("IN2 a lead's call dials the lead's stored extension; another extension for that lead is refused and writes nothing", async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'ext-lead');
    const leadId = await insertLead(server.db, rep.email, 'Grace Hopper', SIM_NUMBERS.human);
    await server.db.sql`update leads set extension = '4711' where id = ${leadId}`;

    const before = await countRows(server.db, 'active_calls');
    const wrong = await placeTwilioCall(rep.client, { to: `${SIM_NUMBERS.human} x12`, userEmail: rep.email, leadId });
    expect(wrong).toEqual({ status: 400, body: expect.objectContaining({ code: 'invalid_request', message: "extension: a call to Grace Hopper dials the lead's extension, 4711." }) });
    expect(await countRows(server.db, 'active_calls')).toBe(before);

    const placed = await placeTwilioCall(rep.client, { to: SIM_NUMBERS.human, userEmail: rep.email, leadId });
    expect(placed.status).toBe(200);
    const simCall = await waitForSimCall(sim, placed.body['callSid'] as string, (call) => call.sentDigits !== undefined);
    expect(simCall.params['SendDigits']).toBe('ww4711');
    const callId = placed.body['callId'] as string;
    await waitForEnd(server.db, callId);
    expect(await historyOf(stack, callId)).toEqual([expect.objectContaining({ lead_id: leadId, to_number: SIM_NUMBERS.human, extension: '4711' })]);
  });

  it('IN2 the extension may come in its own field; a different one in the number, or one that is not digits, is refused', async () => {
    const { server } = stack;
    const rep = await server.signUp('ext-field');
    const base = { userEmail: rep.email, mockConfig: fastConfig('completed') };
    const placed = await invoke(rep.client, 'mockDialerCall', { ...base, to: '+1 415 555 0150', extension: '12', lineNumber: 1 });
    expect(placed.status).toBe(200);
    expect(await readCall(server.db, placed.body['callId'] as string)).toMatchObject({ to_number: '+14155550150', extension: '12' });

    const before = await countRows(server.db, 'active_calls');
    const conflicting = await invoke(rep.client, 'mockDialerCall', { ...base, to: '+1 415 555 0151 ext. 34', extension: '12', lineNumber: 2 });
    expect(conflicting).toEqual({ status: 400, body: expect.objectContaining({ code: 'invalid_request' }) });
    const letters = await invoke(rep.client, 'mockDialerCall', { ...base, to: '+1 415 555 0151', extension: '12a', lineNumber: 2 });
    expect(letters).toEqual({ status: 400, body: expect.objectContaining({ code: 'invalid_request', message: expect.stringContaining('extension is 1 to 10 digits') }) });
    const tooLong = await invoke(rep.client, 'mockDialerCall', { ...base, to: '+1 415 555 0151 ext 12345678901', lineNumber: 2 });
    expect(tooLong).toEqual({ status: 400, body: expect.objectContaining({ code: 'invalid_phone_number' }) });
    expect(await countRows(server.db, 'active_calls')).toBe(before);
  });

  it("IN2 a rep writes a lead's extension through REST; the database refuses one that is not 1 to 10 digits", async () => {
    const { server } = stack;
    const rep = await server.signUp('ext-rest');
    const saved = await rep.client.from('leads').insert({ user_email: rep.email, name: 'Ext Lead', phone: '+14155550160', extension: '89' }).select('phone, extension').single();
    expect(saved.error).toBeNull();
    expect(saved.data).toEqual({ phone: '+14155550160', extension: '89' });
    for (const extension of ['', '8a', '12345678901']) {
      const refused = await rep.client.from('leads').insert({ user_email: rep.email, name: 'Bad Ext', phone: '+14155550161', extension });
      expect(refused.error?.code).toBe('23514');
    }
  });
});

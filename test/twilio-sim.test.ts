import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioClient, type TwilioCallsApi } from '../src/telephony/twilio/twilio-client.js';
import { CALLS_SPEC } from './twilio-sim/calls-spec.js';
import { SIM_NUMBERS } from './twilio-sim/scenarios.js';
import { startTwilioSim, type TwilioSim } from './twilio-sim/twilio-sim.js';
import { waitFor } from './support/server.js';
import { SIM_API_KEY, twilioConfigFor } from './support/twilio.js';

/** A stand-in application: takes every webhook with 200 and keeps it. */
async function startReceiver(): Promise<{ url: string; received: Array<{ path: string; params: Record<string, string> }>; close(): Promise<void> }> {
  const received: Array<{ path: string; params: Record<string, string> }> = [];
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => resolve(body));
    });
  const server: Server = createServer((request, response) => {
    void read(request).then((body) => {
      received.push({ path: request.url ?? '', params: Object.fromEntries(new URLSearchParams(body)) });
      response.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the local Twilio simulator behaves as Twilio’s API description says', () => {
  let sim: TwilioSim;
  let calls: TwilioCallsApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    sim = await startTwilioSim({ apiKey: SIM_API_KEY });
    calls = createTwilioClient(twilioConfigFor(sim)).calls;
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  afterEach(() => {
    sim.setDelivery({ repeat: 0, shuffle: false, drop: () => false });
    sim.setBehaviour({ verdictAfterEnd: false, answerOnCancel: false });
  });

  const callbacks = () => ({
    url: `${receiver.url}/answer`,
    statusCallback: `${receiver.url}/status`,
    statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
  });
  const deliveriesOf = (callSid: string) => sim.deliveries.filter((d) => d.callSid === callSid);
  const FINAL = ['completed', 'busy', 'no-answer', 'failed', 'canceled'];
  const endOf = (callSid: string) => waitFor(async () => deliveriesOf(callSid).find((d) => d.kind === 'status' && FINAL.includes(d.params['CallStatus'] ?? '')));

  it('carries the Calls resource facts of Twilio’s description, with the commit they came from', () => {
    expect(CALLS_SPEC.source).toMatchObject({ repository: 'twilio/twilio-oai', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(CALLS_SPEC.operations.createCall.required).toEqual(['To', 'From']);
    expect(CALLS_SPEC.call.enums['call_enum_update_status']).toEqual(['canceled', 'completed']);
    expect(JSON.stringify(CALLS_SPEC)).not.toMatch(/"description"/);
  });

  it('checks Basic auth: a wrong secret is Twilio error 20003', async () => {
    const wrong = createTwilioClient(twilioConfigFor(sim, { apiSecret: 'wrong' })).calls;
    const refusal = await wrong.create({ to: SIM_NUMBERS.human, from: sim.fromNumber, ...callbacks() }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(twilio.RestException);
    expect(refusal).toMatchObject({ status: 401, code: 20003, moreInfo: 'https://www.twilio.com/docs/errors/20003' });
    const withToken = createTwilioClient(twilioConfigFor(sim, { apiKey: undefined, apiSecret: undefined })).calls;
    expect((await withToken.create({ to: SIM_NUMBERS.humanStays, from: sim.fromNumber, ...callbacks() })).sid).toMatch(/^CA[0-9a-f]{32}$/);
  });

  it('answers with exactly the response fields of the Call resource', async () => {
    const response = await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Calls.json`, {
      method: 'POST',
      headers: { authorization: basic(sim.accountSid, sim.authToken), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: SIM_NUMBERS.ringsOn, From: sim.fromNumber, Url: `${receiver.url}/answer`, NotATwilioParameter: 'x' }).toString(),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(Object.keys(CALLS_SPEC.call.fields).sort());
    expect(body).toMatchObject({ status: 'queued', to: SIM_NUMBERS.ringsOn, from: sim.fromNumber, account_sid: sim.accountSid, direction: 'outbound-api' });
    // Like Twilio, a parameter it does not know is ignored (and noted here).
    expect(sim.requests.at(-1)?.ignored).toEqual(['NotATwilioParameter']);
  });

  it.each([
    ['a missing To', 21201, { From: '+15005550006', Url: 'https://example.com/a' }],
    ['a missing From', 21213, { To: '+14155550100', Url: 'https://example.com/a' }],
    ['no Url, Twiml or ApplicationSid', 21205, { To: '+14155550100', From: '+15005550006' }],
    ['a Url that is not a URL', 21205, { To: '+14155550100', From: '+15005550006', Url: 'not a url' }],
    ['a MachineDetection value Twilio does not list', 20001, { To: '+14155550100', From: '+15005550006', Url: 'https://example.com/a', MachineDetection: 'Sometimes' }],
    ['a StatusCallbackEvent Twilio does not list', 20001, { To: '+14155550100', From: '+15005550006', Url: 'https://example.com/a', StatusCallbackEvent: 'exploded' }],
    ['a Timeout that is not an integer', 20001, { To: '+14155550100', From: '+15005550006', Url: 'https://example.com/a', Timeout: 'soon' }],
    ['a To that is not a phone number', 21211, { To: '555', From: '+15005550006', Url: 'https://example.com/a' }],
    ['a From the account does not own', 21210, { To: '+14155550100', From: '+14155550177', Url: 'https://example.com/a' }],
  ] as const)('refuses %s with Twilio’s error JSON: Twilio error %i', async (_what, code, form) => {
    const response = await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Calls.json`, {
      method: 'POST',
      headers: { authorization: basic(SIM_API_KEY.sid, SIM_API_KEY.secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
  });

  it('fetches and updates calls; an unknown call is 20404 and a finished one cannot be updated (21220)', async () => {
    const created = await calls.create({ to: SIM_NUMBERS.ringsOn, from: sim.fromNumber, ...callbacks() });
    await waitFor(async () => ((await calls(created.sid).fetch()).status === 'ringing' ? true : undefined));
    expect((await calls(created.sid).update({ status: 'canceled' })).status).toBe('canceled');
    await expect(calls(created.sid).update({ status: 'completed' })).rejects.toMatchObject({ status: 400, code: 21220 });
    await expect(calls(`CA${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    const fetched = await calls(created.sid).fetch();
    expect(fetched).toMatchObject({ status: 'canceled', duration: '0', answeredBy: null });
    expect(fetched.endTime).toBeInstanceOf(Date);
  });

  it('a person’s call: signed callbacks that twilio-node accepts, in order, numbered, with the answer request and AMD', async () => {
    const created = await calls.create({ to: SIM_NUMBERS.human, from: sim.fromNumber, ...callbacks(), machineDetection: 'Enable', asyncAmd: 'true', asyncAmdStatusCallback: `${receiver.url}/amd` });
    await endOf(created.sid);
    const sent = deliveriesOf(created.sid);
    for (const delivery of sent) expect(twilio.validateRequest(sim.authToken, delivery.signature, delivery.url, delivery.params)).toBe(true);
    const statuses = sent.filter((d) => d.kind === 'status');
    expect(statuses.map((d) => [d.params['CallStatus'], d.params['SequenceNumber']])).toEqual([
      ['initiated', '0'],
      ['ringing', '1'],
      ['in-progress', '2'],
      ['completed', '3'],
    ]);
    expect(statuses.at(-1)?.params).toMatchObject({ AnsweredBy: 'human', CallDuration: expect.stringMatching(/^[1-9]\d*$/), Timestamp: expect.stringMatching(/\+0000$/) });
    expect(sent.filter((d) => d.kind === 'answer')).toHaveLength(1);
    expect(sent.filter((d) => d.kind === 'amd').map((d) => d.params['AnsweredBy'])).toEqual(['human']);
    expect(receiver.received.filter((r) => r.params['CallSid'] === created.sid)).toHaveLength(sent.length);
  });

  it.each([
    [SIM_NUMBERS.busy, 'busy', []],
    [SIM_NUMBERS.noAnswer, 'no-answer', ['ringing']],
    [SIM_NUMBERS.failed, 'failed', []],
    [SIM_NUMBERS.machine, 'completed', ['ringing', 'in-progress']],
  ] as const)('the call to %s ends %s', async (to, final, between) => {
    const created = await calls.create({ to, from: sim.fromNumber, ...callbacks() });
    const end = await endOf(created.sid);
    const statuses = deliveriesOf(created.sid).filter((d) => d.kind === 'status').map((d) => d.params['CallStatus']);
    expect(statuses).toEqual(['initiated', ...between, final]);
    expect(end.params['CallDuration']).toMatch(final === 'completed' ? /^[1-9]\d*$/ : /^0$/);
    expect(sim.calls.get(created.sid)?.status).toBe(final);
  });

  it('verdictAfterEnd: the callee hangs up before detection decides; completed comes without AnsweredBy, then the AMD callback', async () => {
    sim.setBehaviour({ verdictAfterEnd: true });
    const created = await calls.create({ to: SIM_NUMBERS.machine, from: sim.fromNumber, ...callbacks(), machineDetection: 'Enable', asyncAmd: 'true', asyncAmdStatusCallback: `${receiver.url}/amd` });
    await waitFor(async () => (deliveriesOf(created.sid).some((d) => d.kind === 'amd') ? true : undefined));
    const sent = deliveriesOf(created.sid).filter((d) => d.kind !== 'answer');
    expect(sent.map((d) => [d.kind, d.params['CallStatus'] ?? d.params['AnsweredBy']])).toEqual([
      ['status', 'initiated'],
      ['status', 'ringing'],
      ['status', 'in-progress'],
      ['status', 'completed'],
      ['amd', 'machine_start'],
    ]);
    expect(sent[3]?.params['AnsweredBy']).toBeUndefined();
    expect(sent[3]?.params['CallDuration']).toMatch(/^[1-9]\d*$/);
    // The Call resource has the verdict once detection decided.
    expect((await calls(created.sid).fetch()).answeredBy).toBe('machine_start');
  });

  it('answerOnCancel: a call answered just as the cancel arrives stays up (a cancel leaves an answered call), and completed ends it', async () => {
    sim.setBehaviour({ answerOnCancel: true });
    const created = await calls.create({ to: SIM_NUMBERS.ringsOn, from: sim.fromNumber, ...callbacks() });
    await waitFor(async () => ((await calls(created.sid).fetch()).status === 'ringing' ? true : undefined));
    expect((await calls(created.sid).update({ status: 'canceled' })).status).toBe('in-progress');
    const ended = await calls(created.sid).update({ status: 'completed' });
    expect(ended).toMatchObject({ status: 'completed', duration: expect.stringMatching(/^\d+$/) });
    expect(ended.endTime).toBeInstanceOf(Date);
    await endOf(created.sid);
    expect(deliveriesOf(created.sid).filter((d) => d.kind === 'status').map((d) => d.params['CallStatus'])).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(sim.calls.get(created.sid)?.updates).toEqual(['canceled', 'completed']);
  });

  it('can repeat, drop and shuffle callbacks (a seeded shuffle is the same each time)', async () => {
    sim.setDelivery({ repeat: 1 });
    const repeated = await calls.create({ to: SIM_NUMBERS.busy, from: sim.fromNumber, ...callbacks() });
    await waitFor(async () => (deliveriesOf(repeated.sid).filter((d) => d.params['CallStatus'] === 'busy').length === 2 ? true : undefined));
    expect(deliveriesOf(repeated.sid).map((d) => d.params['SequenceNumber'])).toEqual(['0', '0', '1', '1']);

    sim.setDelivery({ repeat: 0, drop: (callback) => callback.params['CallStatus'] === 'initiated' });
    const dropped = await calls.create({ to: SIM_NUMBERS.busy, from: sim.fromNumber, ...callbacks() });
    await endOf(dropped.sid);
    expect(deliveriesOf(dropped.sid).map((d) => [d.params['CallStatus'], d.isDropped])).toEqual([
      ['initiated', true],
      ['busy', false],
    ]);

    sim.setDelivery({ drop: () => false, shuffle: true, seed: 7 });
    const orders: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const shuffled = await calls.create({ to: SIM_NUMBERS.noAnswer, from: sim.fromNumber, ...callbacks() });
      await waitFor(async () => (deliveriesOf(shuffled.sid).length === 3 ? true : undefined));
      orders.push(deliveriesOf(shuffled.sid).map((d) => d.params['CallStatus'] ?? ''));
    }
    expect(orders[0]).toEqual(orders[1]);
    // Held until the call ended, then sent in the seed's order: not the order they happened in.
    expect(orders[0]).toEqual(['ringing', 'no-answer', 'initiated']);
  });
});

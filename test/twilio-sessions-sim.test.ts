import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioClient, type TwilioCallsApi } from '../src/telephony/twilio/twilio-client.js';
import { SIM_ANSWERED_BY, type LegScript } from './twilio-sim/leg-scripts.js';
import { startTwilioSim, type TwilioSim } from './twilio-sim/twilio-sim.js';
import { waitFor } from './support/server.js';
import { SIM_API_KEY, twilioConfigFor } from './support/twilio.js';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
}

/**
 * A stand-in application: answers each webhook with the TwiML `respond` gives for its path
 * (after `delayMs`, to let a Call update overtake the answer), and keeps every request.
 */
async function startReceiver(respond: (path: string) => { twiml: string; delayMs?: number }) {
  const received: Received[] = [];
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => resolve(body));
    });
  const server: Server = createServer((request, response) => {
    void read(request).then((body) => {
      const url = new URL(request.url ?? '/', 'http://receiver');
      const params = request.method === 'GET' ? Object.fromEntries(url.searchParams) : Object.fromEntries(new URLSearchParams(body));
      received.push({ method: request.method ?? '', path: url.pathname, params });
      const { twiml, delayMs = 0 } = respond(url.pathname);
      setTimeout(() => response.writeHead(200, { 'content-type': 'text/xml' }).end(twiml), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const HOLD = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="60"/><Hangup/></Response>';
const ACK = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * What power-dial sessions need of the local Twilio (issue 14): legs scripted per called number
 * (answer time, human or machine, verdict time, hang-up), the asynchronous AMD values Twilio
 * documents, Call updates with `Twiml` or `Url`/`Method` (as Twilio's API description states
 * them), and the TwiML each leg was given, kept on the simulated call.
 */
describe('the local Twilio simulator plays power-dial legs', () => {
  let sim: TwilioSim;
  let calls: TwilioCallsApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let answerDelayMs = 0;
  let numberCounter = 0;
  beforeAll(async () => {
    sim = await startTwilioSim({ apiKey: SIM_API_KEY });
    calls = createTwilioClient(twilioConfigFor(sim)).calls;
    receiver = await startReceiver((path) =>
      path === '/answer' ? { twiml: HOLD, delayMs: answerDelayMs } : path === '/next' ? { twiml: '<Response><Say>Fetched by GET.</Say><Hangup/></Response>' } : { twiml: ACK },
    );
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  /** A fresh number with its script (each test its own, so scripts never leak between tests). */
  const scripted = (script: LegScript) => {
    const to = `+1415556${String(++numberCounter).padStart(4, '0')}`;
    sim.script(to, script);
    return to;
  };
  const place = (to: string, machineDetection: 'Enable' | 'DetectMessageEnd' | null = 'DetectMessageEnd') =>
    calls.create({
      to,
      from: sim.fromNumber,
      url: `${receiver.url}/answer`,
      statusCallback: `${receiver.url}/status`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      ...(machineDetection ? { machineDetection, asyncAmd: 'true', asyncAmdStatusCallback: `${receiver.url}/amd` } : {}),
    });
  const deliveriesOf = (callSid: string) => sim.deliveries.filter((d) => d.callSid === callSid);
  /** The status callbacks in the order they were sent (deliveries are kept as they are answered, which may differ by a few ms). */
  const statusesOf = (callSid: string) =>
    deliveriesOf(callSid)
      .filter((d) => d.kind === 'status')
      .sort((a, b) => Number(a.params['SequenceNumber']) - Number(b.params['SequenceNumber']))
      .map((d) => d.params['CallStatus']);
  const verdictOf = (callSid: string) => waitFor(async () => deliveriesOf(callSid).find((d) => d.kind === 'amd')?.params['AnsweredBy'], 5000, 'the AMD callback');
  const endOf = (callSid: string) =>
    waitFor(async () => deliveriesOf(callSid).find((d) => d.kind === 'status' && ['completed', 'canceled', 'no-answer'].includes(d.params['CallStatus'] ?? '')), 5000, 'the end callback');
  const simCall = (sid: string) => {
    const call = sim.calls.get(sid);
    if (!call) throw new Error(`no simulated call ${sid}`);
    return call;
  };

  it('scripted legs answer when their scripts say, within a few ms of each other, each with its own verdict after its own delay', async () => {
    const humanA = scripted({ answerAfterMs: 150, verdictAfterMs: 60, hangUpAfterMs: 1500 });
    const humanB = scripted({ answerAfterMs: 150, verdictAfterMs: 90, hangUpAfterMs: 1500 });
    const machine = scripted({ answerAfterMs: 150, answeredBy: 'machine_end_beep', verdictAfterMs: 400 });
    const created = await Promise.all([place(humanA), place(humanB), place(machine)]);
    const answered = await Promise.all(created.map(({ sid }) => waitFor(async () => simCall(sid).answerMs, 5000, 'the answer')));
    expect(Math.max(...answered) - Math.min(...answered)).toBeLessThan(100);
    expect(await Promise.all(created.map(({ sid }) => verdictOf(sid)))).toEqual(['human', 'human', 'machine_end_beep']);
    const [a, , m] = created.map(({ sid }) => simCall(sid));
    const amdAt = (sid: string) => sim.deliveries.find((d) => d.callSid === sid && d.kind === 'amd');
    expect(amdAt(m?.sid ?? '')).toBeDefined();
    // The machine's verdict comes after the end of its greeting: well after the humans'.
    expect(m?.answeredBy).toBe('machine_end_beep');
    expect(a?.answeredBy).toBe('human');
    // Every leg got the hold TwiML from the answer URL, and a machine stays until it is ended.
    for (const { sid } of created) expect(simCall(sid).given.map((g) => [g.via, g.twiml])).toEqual([['answer', HOLD]]);
    expect(simCall(created[2]?.sid ?? '').life).toBe('machine');
    await calls(created[2]?.sid ?? '').update({ status: 'completed' });
    await Promise.all(created.map(({ sid }) => endOf(sid)));
    for (const { sid } of created) expect(statusesOf(sid)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
  });

  it.each(SIM_ANSWERED_BY.filter((value) => value !== 'machine_start'))('asynchronous AMD with DetectMessageEnd reports AnsweredBy=%s as scripted', async (answeredBy) => {
    const to = scripted({ answerAfterMs: 20, answeredBy, verdictAfterMs: 30, hangUpAfterMs: 400 });
    const { sid } = await place(to);
    expect(await verdictOf(sid)).toBe(answeredBy);
    const end = await endOf(sid);
    expect(end.params['AnsweredBy']).toBe(answeredBy);
    expect((await calls(sid).fetch()).answeredBy).toBe(answeredBy);
  });

  it('with MachineDetection=Enable a scripted machine is reported at once as machine_start; without detection there is no verdict', async () => {
    const enabled = await place(scripted({ answerAfterMs: 20, answeredBy: 'machine_end_silence', verdictAfterMs: 30, hangUpAfterMs: 300 }), 'Enable');
    expect(await verdictOf(enabled.sid)).toBe('machine_start');
    const none = await place(scripted({ answerAfterMs: 20, answeredBy: 'machine_end_beep', hangUpAfterMs: 200 }), null);
    const end = await endOf(none.sid);
    expect(end.params['AnsweredBy']).toBeUndefined();
    expect(deliveriesOf(none.sid).some((d) => d.kind === 'amd')).toBe(false);
  });

  it('a Call update with Twiml redirects an answered leg: the new TwiML plays (said, then hung up) and is kept after the answer’s', async () => {
    const { sid } = await place(scripted({ answerAfterMs: 20, verdictAfterMs: 20 }));
    await waitFor(async () => (simCall(sid).given.length > 0 ? true : undefined), 5000, 'the answer TwiML');
    const drop = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Please call us back.</Say><Hangup/></Response>';
    const updated = await calls(sid).update({ twiml: drop });
    expect(updated.status).toBe('in-progress');
    await endOf(sid);
    const call = simCall(sid);
    expect(call.given.map((g) => [g.via, g.twiml, g.isPlayed])).toEqual([
      ['answer', HOLD, true],
      ['update', drop, true],
    ]);
    expect(call.said).toEqual(['Please call us back.']);
    expect(call.updates).toEqual([]);
    expect(statusesOf(sid)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    const update = sim.requests.find((r) => r.callSid === sid && r.method === 'POST' && r.path.endsWith(`/Calls/${sid}.json`));
    expect(update).toMatchObject({ status: 200, params: { Twiml: drop }, ignored: [] });
  });

  it('a Call update with Url and Method=GET fetches the new TwiML with a GET signed over the URL and its query', async () => {
    const { sid } = await place(scripted({ answerAfterMs: 20, verdictAfterMs: 20 }));
    await waitFor(async () => (simCall(sid).given.length > 0 ? true : undefined), 5000, 'the answer TwiML');
    await calls(sid).update({ url: `${receiver.url}/next`, method: 'GET' });
    await endOf(sid);
    expect(simCall(sid).said).toEqual(['Fetched by GET.']);
    const fetched = receiver.received.find((r) => r.path === '/next' && r.params['CallSid'] === sid);
    expect(fetched).toMatchObject({ method: 'GET', params: { CallStatus: 'in-progress' } });
    const delivery = sim.deliveries.find((d) => d.callSid === sid && d.kind === 'redirect');
    expect(delivery?.method).toBe('GET');
    expect(twilio.validateRequest(sim.authToken, delivery?.signature ?? '', delivery?.url ?? '', {})).toBe(true);
  });

  it('a redirect that overtakes the answer request wins: the answer’s TwiML arrives later and is not played', async () => {
    answerDelayMs = 400;
    try {
      const { sid } = await place(scripted({ answerAfterMs: 20, verdictAfterMs: 20 }));
      await waitFor(async () => (simCall(sid).status === 'in-progress' ? true : undefined), 5000, 'the answer');
      const bridge = '<Response><Dial><Client>rep-1</Client></Dial></Response>';
      await calls(sid).update({ twiml: bridge });
      await waitFor(async () => (simCall(sid).given.length === 2 ? true : undefined), 5000, 'the late answer TwiML');
      expect(simCall(sid).given.map((g) => [g.via, g.isPlayed])).toEqual([
        ['update', true],
        ['answer', false],
      ]);
      // Still bridged: the late hold (a pause, then hang-up) never played.
      expect(simCall(sid).status).toBe('in-progress');
      await calls(sid).update({ status: 'completed' });
    } finally {
      answerDelayMs = 0;
    }
  });

  it('refuses a redirect of a leg still ringing (21220, as Twilio does) and Twiml with Url together; a cancel of a ringing leg ends it canceled', async () => {
    const { sid } = await place(scripted({}));
    await waitFor(async () => (simCall(sid).status === 'ringing' ? true : undefined), 5000, 'the ringing');
    await expect(calls(sid).update({ twiml: '<Response><Hangup/></Response>' })).rejects.toMatchObject({ status: 400, code: 21220 });
    const both = await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Calls/${sid}.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${SIM_API_KEY.sid}:${SIM_API_KEY.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Twiml: '<Response/>', Url: `${receiver.url}/next` }).toString(),
    });
    expect(both.status).toBe(400);
    expect(await calls(sid).update({ status: 'canceled' })).toMatchObject({ status: 'canceled' });
    await endOf(sid);
    expect(statusesOf(sid)).toEqual(['initiated', 'ringing', 'canceled']);
    expect(simCall(sid).given).toEqual([]);
  });

  it('a held leg whose hold runs out hangs up after the pause; a callee who hangs up during the hold ends it completed', async () => {
    const { sid } = await place(scripted({ answerAfterMs: 20, verdictAfterMs: 20 }));
    await waitFor(async () => (simCall(sid).given.length > 0 ? true : undefined), 5000, 'the answer TwiML');
    await calls(sid).update({ twiml: '<Response><Pause length="1"/></Response>' });
    const end = await endOf(sid);
    expect(end.params['CallStatus']).toBe('completed');
    expect((simCall(sid).endMs ?? 0) - (simCall(sid).given[1]?.atMs ?? 0)).toBeGreaterThanOrEqual(950);

    const leaving = await place(scripted({ answerAfterMs: 20, verdictAfterMs: 20, hangUpAfterMs: 200 }));
    expect((await endOf(leaving.sid)).params['CallStatus']).toBe('completed');
  });
});

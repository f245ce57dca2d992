import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.js';
import { fastConfig, invoke, waitForEnd } from './support/calls.js';
import { subscribe } from './support/realtime.js';
import { startTestServer, waitFor, type TestServer } from './support/server.js';
import { SIM_API_KEY, twilioConfigFor } from './support/twilio.js';
import { startTwilioSim, type TwilioSim } from './twilio-sim/twilio-sim.js';

const TOKEN = 'metrics-token-for-tests';

/** One sample's value from Prometheus text, or undefined when the series is absent. */
function sampleOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe.each(DATABASE_KINDS)('metrics and request ids on %s', (kind) => {
  let sim: TwilioSim;
  let server: TestServer;
  const logLines: Array<Record<string, unknown>> = [];

  const scrape = async (token: string | null = TOKEN) => {
    const response = await fetch(`${server.url}/metrics`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const metric = async (name: string, labels: Record<string, string> = {}) => sampleOf((await scrape()).text, name, labels) ?? 0;

  beforeAll(async () => {
    sim = await startTwilioSim({ apiKey: SIM_API_KEY });
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    server = await startTestServer(kind, { twilio: { twilio: twilioConfigFor(sim) }, metrics: { token: TOKEN }, logger: pino({ level: 'info' }, logStream) });
  });
  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });

  it('without METRICS_TOKEN /metrics is off (404)', async () => {
    const plain = await startTestServer(kind);
    try {
      const response = await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'not_found' });
    } finally {
      await plain.close();
    }
  });

  it('/metrics needs the token: none or a wrong one gets 401, the right one the metrics', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('wrong-token')).status).toBe(401);
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    for (const name of ['dialer_calls_live', 'dialer_realtime_sockets', 'dialer_db_connections_max', 'dialer_db_operations_in_flight', 'process_cpu_user_seconds_total']) {
      expect(sampleOf(text, name), name).toBeDefined();
    }
    expect(sampleOf(text, 'dialer_db_connections_max')).toBe(kind === 'pglite' ? 1 : 10);
  });

  it('a demo call moves the placed and ended counters, and the live-calls gauge goes up then down', async () => {
    const { client, email } = await server.signUp('metrics-call');
    const mock = { provider: 'mock' };
    const placedBefore = await metric('dialer_calls_placed_total', mock);
    const endedBefore = await metric('dialer_calls_ended_total', { ...mock, outcome: 'completed' });

    const started = await invoke(client, 'mockDialerCall', { to: '+14155550142', userEmail: email, lineNumber: 1, mockConfig: fastConfig('completed', { talkSeconds: [2, 2.5] }) });
    expect(started.status).toBe(200);
    expect(await metric('dialer_calls_placed_total', mock)).toBe(placedBefore + 1);
    await waitFor(async () => ((await metric('dialer_calls_live', mock)) === 1 ? true : undefined), 10_000, 'the live call in dialer_calls_live');

    await waitForEnd(server.db, started.body['callId'] as string);
    await waitFor(async () => ((await metric('dialer_calls_live', mock)) === 0 ? true : undefined), 10_000, 'dialer_calls_live back to 0');
    await waitFor(async () => ((await metric('dialer_calls_ended_total', { ...mock, outcome: 'completed' })) === endedBefore + 1 ? true : undefined), 10_000, 'the ended call counted');

    // A dial refused before any call is written counts by its code.
    const refused = await invoke(client, 'mockDialerCall', { to: '12', userEmail: email, lineNumber: 1 });
    expect(refused.status).toBe(400);
    expect(await metric('dialer_calls_refused_total', { code: 'invalid_phone_number' })).toBeGreaterThanOrEqual(1);
  });

  it('WH1 a webhook with a bad signature counts as refused, and its log line carries the request id', async () => {
    const before = await metric('dialer_twilio_webhooks_total', { event: 'status', outcome: 'refused' });
    const response = await fetch(`${server.url}/webhooks/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'not-a-signature', 'x-request-id': 'metrics-test-req-1' },
      body: new URLSearchParams({ CallSid: 'CA00000000000000000000000000000000', CallStatus: 'completed' }).toString(),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-request-id')).toBe('metrics-test-req-1');
    expect(await metric('dialer_twilio_webhooks_total', { event: 'status', outcome: 'refused' })).toBe(before + 1);
    expect(await metric('dialer_twilio_webhook_duration_seconds_count', { event: 'status' })).toBeGreaterThanOrEqual(1);

    const line = logLines.find((entry) => entry['reqId'] === 'metrics-test-req-1');
    expect(line).toMatchObject({ msg: 'refused a webhook without a valid Twilio signature', level: 40 });
  });

  it('every response carries an X-Request-Id: a well-formed incoming one is kept, anything else replaced', async () => {
    const generated = (await fetch(`${server.url}/config.json`)).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const replaced = (await fetch(`${server.url}/config.json`, { headers: { 'x-request-id': 'no spaces allowed' } })).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a realtime subscriber shows in the sockets and channels gauges', async () => {
    const { client } = await server.signUp('metrics-realtime');
    const subscription = subscribe(client, 'active_calls', undefined);
    await subscription.waitForState('SUBSCRIBED');
    try {
      expect(await metric('dialer_realtime_sockets')).toBeGreaterThanOrEqual(1);
      expect(await metric('dialer_realtime_channels')).toBeGreaterThanOrEqual(1);
    } finally {
      await client.removeAllChannels();
    }
  });
});

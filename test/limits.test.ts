import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../src/api/body-limit.js';
import { MAX_FAILED_SIGN_INS_PER_ADDRESS, MAX_FAILED_SIGN_INS_PER_EMAIL } from '../src/auth/sign-in-throttle.js';
import { loadConfig } from '../src/config.js';
import { REFRESH_TOKEN_REUSE_INTERVAL_SECONDS } from '../src/db/users.js';
import { countRows, invoke } from './support/calls.js';
import { DATABASE_KINDS, TEST_DATABASE_URL } from './support/databases.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from './support/server.js';
import { streamBody } from './support/stream-body.js';
import { SIM_API_KEY } from './support/twilio.js';
import { startTwilioSim } from './twilio-sim/twilio-sim.js';

const MIB = 1024 * 1024;

type SignedIn = Awaited<ReturnType<TestServer['signUp']>>;

/** Samples this process's ArrayBuffer memory (where request bodies live) while `work` runs. */
async function peakArrayBuffersDuring<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = process.memoryUsage().arrayBuffers;
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(timer);
  }
}

describe.each(DATABASE_KINDS)('ED1 request bodies over their route limit on %s', (kind) => {
  let server: TestServer;
  let user: SignedIn;
  beforeAll(async () => {
    server = await startTestServer(kind);
    user = await server.signUp('limits');
  });
  afterAll(async () => {
    await server.close();
  });

  const headersFor = (token: string) => ({ apikey: server.tokens.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' });

  it('ED1 a declared Content-Length over the limit gets 413 payload_too_large before the API key or token is looked at', async () => {
    for (const [path, limit] of [
      ['/functions/v1/mockDialerCall', BODY_LIMIT_BYTES.functions],
      ['/auth/v1/token?grant_type=password', BODY_LIMIT_BYTES.auth],
      ['/rest/v1/leads', BODY_LIMIT_BYTES.rest],
      ['/webhooks/twilio/status', BODY_LIMIT_BYTES.webhooks],
    ] as const) {
      // No API key at all: without the limit first this would be 401 after reading the body.
      const answer = await streamBody(server.url, path, { headers: { 'content-type': 'application/json', 'content-length': String(limit + 1) }, totalBytes: limit + 1 });
      expect(answer.status, path).toBe(413);
      expect(JSON.parse(answer.body), path).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/larger than/) });
      expect(answer.headers.connection, path).toBe('close');
    }
  });

  it('ED1 a body streamed without Content-Length is refused with 413 once past the limit, unread and unbuffered, writing nothing', async () => {
    for (const [path, token, total, maxGrowth] of [
      ['/functions/v1/mockDialerCall', server.tokens.anonKey, 20 * MIB, 4 * MIB],
      // Up to the 8 MiB limit is read and kept; the 64 MiB are not.
      ['/rest/v1/leads', user.accessToken, 64 * MIB, 32 * MIB],
    ] as const) {
      const { result: answer, growth } = await peakArrayBuffersDuring(() => streamBody(server.url, path, { headers: headersFor(token), totalBytes: total, fill: '[' }));
      expect(answer.status, path).toBe(413);
      expect(JSON.parse(answer.body), path).toMatchObject({ code: 'payload_too_large' });
      // The server stopped reading: what the client got out is the limit plus socket buffers.
      expect(answer.bytesSent, path).toBeLessThan(total / 2);
      expect(growth, path).toBeLessThan(maxGrowth);
    }
    expect(await countRows(server.db, 'leads')).toBe(0);
    expect(await countRows(server.db, 'active_calls')).toBe(0);
  });

  it('ED1 a Content-Length that understates the body hands over only the declared bytes: refused, nothing written', async () => {
    const lie = JSON.stringify({ to: '+14155550100', userEmail: user.email, lineNumber: 1 });
    const answer = await streamBody(server.url, '/functions/v1/mockDialerCall', {
      headers: { ...headersFor(user.accessToken), 'content-length': '10' },
      totalBytes: 20 * MIB,
      fill: lie,
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await countRows(server.db, 'active_calls')).toBe(0);
  });

  it('ED1 a chunked lead import within the REST limit is read whole', async () => {
    const leads = Array.from({ length: 2000 }, (_, i) => ({ user_email: user.email, name: `Lead ${i}`, notes: 'x'.repeat(400), phone: `+1415555${String(i).padStart(4, '0')}` }));
    const body = new Blob([JSON.stringify(leads)]).stream();
    const response = await fetch(`${server.url}/rest/v1/leads`, { method: 'POST', headers: headersFor(user.accessToken), body, duplex: 'half' } as RequestInit);
    expect(response.status, await response.clone().text()).toBe(201);
    expect(await countRows(server.db, 'leads')).toBe(2000);
    await server.db.sql`delete from leads`;
  });

  it('ED1 a Twilio webhook over the limit with a bad signature is refused with 413 before the signature is read', async () => {
    const sim = await startTwilioSim({ apiKey: SIM_API_KEY });
    const production = await startTestServer(kind, {
      twilio: { twilio: { accountSid: sim.accountSid, authToken: sim.authToken, fromNumber: sim.fromNumber, apiKey: SIM_API_KEY.sid, apiSecret: SIM_API_KEY.secret, apiBaseUrl: sim.url } },
    });
    try {
      const path = `/webhooks/twilio/status?callId=${crypto.randomUUID()}`;
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'not-a-signature' };
      const { result: answer, growth } = await peakArrayBuffersDuring(() => streamBody(production.url, path, { headers, totalBytes: 50 * MIB, fill: 'a' }));
      expect(answer.status).toBe(413);
      expect(answer.bytesSent).toBeLessThan(50 * MIB);
      expect(growth).toBeLessThan(BODY_LIMIT_BYTES.webhooks + 4 * MIB);
      // A small one with a bad signature is still refused by the signature check.
      const small = await fetch(`${production.url}${path}`, { method: 'POST', headers, body: 'CallStatus=completed' });
      expect(small.status).toBe(403);
      expect(await countRows(production.db, 'active_calls')).toBe(0);
    } finally {
      await production.close();
      await sim.close();
    }
  });
});

describe.each(DATABASE_KINDS)('IN1 bounded inputs on %s', (kind) => {
  let server: TestServer;
  let user: SignedIn;
  beforeAll(async () => {
    server = await startTestServer(kind);
    user = await server.signUp('bounds');
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    ['true', true],
    ['[3]', [3]],
    ['" 3 "', ' 3 '],
    ['"3"', '3'],
    ['2.5', 2.5],
    ['null', null],
  ] as const)('IN1 lineNumber %s is refused with invalid_request and nothing is written', async (_what, lineNumber) => {
    for (const name of ['mockDialerCall', 'twilioInitiateCall']) {
      const result = await invoke(user.client, name, { to: '+14155550100', userEmail: user.email, lineNumber });
      expect(result.status, name).toBe(400);
      expect(result.body, name).toEqual({ code: 'invalid_request', message: expect.stringMatching(/lineNumber/) });
    }
    expect(await countRows(server.db, 'active_calls')).toBe(0);
  });

  it('IN1 an email over 254 characters gets 400 validation_failed on sign-up and sign-in, and no user is written', async () => {
    const [before] = await server.db.sql<{ n: number }>`select count(*)::int as n from auth.users`;
    for (const email of [`${'a'.repeat(10_000)}@example.com`, `${'a'.repeat(243)}@example.com`]) {
      const signUp = await server.client().auth.signUp({ email, password: 'a long password' });
      expect(signUp.error?.status).toBe(400);
      expect(signUp.error?.code).toBe('validation_failed');
      const signIn = await server.client().auth.signInWithPassword({ email, password: 'a long password' });
      expect(signIn.error?.code).toBe('validation_failed');
    }
    const [after] = await server.db.sql<{ n: number }>`select count(*)::int as n from auth.users`;
    expect(after?.n).toBe(before?.n);
    // 254 characters is still an email.
    const longest = `${'a'.repeat(242)}@example.com`;
    expect(longest).toHaveLength(254);
    expect((await server.client().auth.signUp({ email: longest, password: 'a long password' })).error).toBeNull();
  });

  it('IN1 user metadata over 4 KiB or nested too deep gets 400 validation_failed', async () => {
    const big = await server.client().auth.signUp({ email: `meta-${Date.now()}@example.com`, password: 'a long password', options: { data: { note: 'x'.repeat(5000) } } });
    expect(big.error?.code).toBe('validation_failed');
    expect(big.error?.message).toMatch(/metadata/);
    const deep = `{"email":"deep-${Date.now()}@example.com","password":"a long password","data":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const response = await fetch(`${server.url}/auth/v1/signup`, { method: 'POST', headers: { apikey: server.tokens.anonKey, 'content-type': 'application/json' }, body: deep });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed' });
    const fits = await server.client().auth.signUp({ email: `meta-ok-${Date.now()}@example.com`, password: 'a long password', options: { data: { name: 'Ada' } } });
    expect(fits.error).toBeNull();
    expect(fits.data.user?.user_metadata).toEqual({ name: 'Ada' });
  });

  it('IN1 an unknown sign-out scope gets 400 validation_failed and ends no session', async () => {
    const response = await fetch(`${server.url}/auth/v1/logout?scope=everything`, {
      method: 'POST',
      headers: { apikey: server.tokens.anonKey, authorization: `Bearer ${user.accessToken}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed' });
    expect((await user.client.auth.getUser()).error).toBeNull();
  });
});

describe.each(DATABASE_KINDS)('ED2 sign-in throttling on %s', (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(kind);
  });
  afterEach(async () => {
    await server.close();
  });

  const signIn = (email: string, password: string) => server.client().auth.signInWithPassword({ email, password });

  it('ED2 16 concurrent wrong passwords for one email: the allowance is checked, the rest get 429 over_request_rate_limit, and the email stays locked', async () => {
    const victim = await server.signUp('victim');
    const results = await Promise.all(Array.from({ length: 16 }, () => signIn(victim.email, 'not the password')));
    const codes = results.map((r) => r.error?.code);
    expect(codes.filter((code) => code === 'invalid_credentials')).toHaveLength(MAX_FAILED_SIGN_INS_PER_EMAIL);
    expect(codes.filter((code) => code === 'over_request_rate_limit')).toHaveLength(16 - MAX_FAILED_SIGN_INS_PER_EMAIL);
    expect(results.find((r) => r.error?.code === 'over_request_rate_limit')?.error?.status).toBe(429);

    // The right password does not get through while the email is locked...
    expect((await signIn(victim.email, 'correct horse battery')).error?.code).toBe('over_request_rate_limit');
    // ...but another user at the same address signs in: the address has failures to spare.
    const colleague = await server.signUp('colleague');
    expect((await signIn(colleague.email, 'correct horse battery')).error).toBeNull();
  });

  it('ED2 an unknown email and a wrong password get the same answer', async () => {
    const known = await server.signUp('known');
    const wrong = await signIn(known.email, 'not the password');
    const unknown = await signIn(`nobody-${Date.now()}@example.com`, 'not the password');
    expect(unknown.error?.code).toBe('invalid_credentials');
    expect(unknown.error?.message).toBe(wrong.error?.message);
    expect(unknown.error?.status).toBe(wrong.error?.status);
  });

  it('ED2 during a flood of wrong sign-ins another signed-in user is answered, and the flood gets 429s', async () => {
    const rep = await server.signUp('busy-rep');
    const flood = Array.from({ length: 48 }, (_, i) => signIn(`guess-${i}-${Date.now()}@example.com`, 'not the password'));
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { error, status } = await rep.client.from('leads').select('id');
      expect(error).toBeNull();
      answers.push(status);
    }
    const codes = (await Promise.all(flood)).map((r) => r.error?.code);
    expect(answers).toEqual([200, 200, 200, 200, 200]);
    expect(codes.filter((code) => code === 'invalid_credentials')).toHaveLength(MAX_FAILED_SIGN_INS_PER_ADDRESS);
    expect(codes.filter((code) => code === 'over_request_rate_limit')).toHaveLength(48 - MAX_FAILED_SIGN_INS_PER_ADDRESS);
    // The address is now over its allowance: even a right password from it waits out the window.
    expect((await signIn(rep.email, 'correct horse battery')).error?.code).toBe('over_request_rate_limit');
    // Sign-ups are not throttled per address (a team signs up from one office).
    expect((await server.client().auth.signUp({ email: `after-flood-${Date.now()}@example.com`, password: 'a long password' })).error).toBeNull();
  });
});

describe.each(DATABASE_KINDS)('ED3 refresh-token reuse interval on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  const getUser = (client: SupabaseClient, token: string | undefined) => client.auth.getUser(token ?? '');

  it(`ED3 two tabs refreshing one token at once both keep the session; a reuse after ${REFRESH_TOKEN_REUSE_INTERVAL_SECONDS} s ends it`, async () => {
    const { client, userId } = await server.signUp('tabs');
    const refreshToken = (await client.auth.getSession()).data.session?.refresh_token ?? '';
    const [tabA, tabB] = await Promise.all([server.client().auth.refreshSession({ refresh_token: refreshToken }), server.client().auth.refreshSession({ refresh_token: refreshToken })]);
    expect(tabA.error).toBeNull();
    expect(tabB.error).toBeNull();
    expect(tabA.data.session?.refresh_token).not.toBe(tabB.data.session?.refresh_token);
    for (const tab of [tabA, tabB]) expect((await getUser(server.client(), tab.data.session?.access_token)).error).toBeNull();
    // Each tab's new token rotates on as usual.
    const onwards = await server.client().auth.refreshSession({ refresh_token: tabB.data.session?.refresh_token ?? '' });
    expect(onwards.error).toBeNull();

    // Past the interval, the first token played back again means it leaked: the session ends.
    await server.db.sql`update auth.refresh_tokens set revoked_at = revoked_at - make_interval(secs => ${REFRESH_TOKEN_REUSE_INTERVAL_SECONDS + 1}) where revoked`;
    const replay = await server.client().auth.refreshSession({ refresh_token: refreshToken });
    expect(replay.error?.code).toBe('refresh_token_already_used');
    for (const tab of [tabA, onwards]) {
      const after = await fetch(`${server.url}/auth/v1/user`, { headers: { apikey: server.tokens.anonKey, authorization: `Bearer ${tab.data.session?.access_token ?? ''}` } });
      expect(after.status).toBe(403);
      expect(await after.json()).toMatchObject({ code: 'session_not_found' });
    }
    const [left] = await server.db.sql<{ n: number }>`select count(*)::int as n from auth.refresh_tokens where user_id = ${userId}`;
    expect(left?.n).toBe(0);
  });
});

describe('ED4 the data dir is created whatever variables are set', { timeout: 90_000 }, () => {
  let dir: string;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dialer-datadir-'));
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('ED4 with JWT_SECRET set and a DIALER_DATA_DIR that does not exist yet, the first start serves', async () => {
    const dataDir = join(dir, 'not', 'there', 'yet');
    server = await startServerProcess({ DIALER_DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: '' });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'pglite' });
    await access(join(dataDir, 'pgdata'));
  });

  it('ED4 with DATABASE_URL and JWT_SECRET set, the data dir is created all the same', async () => {
    const dataDir = join(dir, 'also', 'new');
    const config = await loadConfig({ DATABASE_URL: TEST_DATABASE_URL, JWT_SECRET: TEST_JWT_SECRET, DIALER_DATA_DIR: dataDir });
    expect(config.dataDir).toBe(dataDir);
    await access(dataDir);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.js';
import { countRows, insertLead, invoke } from './support/calls.js';
import { startTestServer, type TestServer } from './support/server.js';

type Case = readonly [what: string, body: (email: string, ctx: { foreignLead: string }) => unknown, status: number, code: string];

const MOCK_CASES: readonly Case[] = [
  ['an empty body', () => ({}), 400, 'invalid_request'],
  ['a missing number', (email) => ({ userEmail: email, lineNumber: 1 }), 400, 'invalid_request'],
  ['a number with letters', (email) => ({ to: 'call me', userEmail: email, lineNumber: 1 }), 400, 'invalid_phone_number'],
  ['a number too short to be real', (email) => ({ to: '+1415', userEmail: email, lineNumber: 1 }), 400, 'invalid_phone_number'],
  ['a line outside 1-3', (email) => ({ to: '+14155550100', userEmail: email, lineNumber: 4 }), 400, 'invalid_request'],
  ['line 0', (email) => ({ to: '+14155550100', userEmail: email, lineNumber: 0 }), 400, 'invalid_request'],
  ['a malformed email', () => ({ to: '+14155550100', userEmail: 'nobody', lineNumber: 1 }), 400, 'invalid_request'],
  ['another user’s email', () => ({ to: '+14155550100', userEmail: 'someone-else@example.com', lineNumber: 1 }), 403, 'forbidden'],
  ['a lead id that is not a uuid', (email) => ({ to: '+14155550100', userEmail: email, lineNumber: 1, leadId: 'lead-1' }), 400, 'invalid_request'],
  ['another user’s lead', (email, { foreignLead }) => ({ to: '+14155550100', userEmail: email, lineNumber: 1, leadId: foreignLead }), 404, 'lead_not_found'],
  ['an unknown field', (email) => ({ to: '+14155550100', userEmail: email, lineNumber: 1, surprise: true }), 400, 'invalid_request'],
  ['a mock config with a backwards range', (email) => ({ to: '+14155550100', userEmail: email, lineNumber: 1, mockConfig: { ringSeconds: [5, 1] } }), 400, 'invalid_request'],
  ['a mock config with negative weights', (email) => ({ to: '+14155550100', userEmail: email, lineNumber: 1, mockConfig: { outcomeWeights: { busy: -1 } } }), 400, 'invalid_request'],
];

const TWILIO_CASES: readonly Case[] = [
  ['an empty body', () => ({}), 400, 'invalid_request'],
  ['a bad number', (email) => ({ to: '12', userEmail: email, lineNumber: 1, enableAMD: false, enableRecording: false }), 400, 'invalid_phone_number'],
  ['a line outside 1-3', (email) => ({ to: '+14155550100', userEmail: email, lineNumber: 9, enableAMD: false, enableRecording: false }), 400, 'invalid_request'],
  ['enableAMD that is not a boolean', (email) => ({ to: '+14155550100', userEmail: email, lineNumber: 1, enableAMD: 'yes' }), 400, 'invalid_request'],
  ['another user’s email', () => ({ to: '+14155550100', userEmail: 'someone-else@example.com', lineNumber: 1 }), 403, 'forbidden'],
];

const END_CASES: readonly Case[] = [
  ['an empty body', () => ({}), 400, 'invalid_request'],
  ['a missing callSid', (email) => ({ userEmail: email }), 400, 'invalid_request'],
  ['an unknown callSid', (email) => ({ callSid: 'CA00000000000000000000000000000000', userEmail: email }), 404, 'call_not_found'],
  ['another user’s email', () => ({ callSid: 'CA00000000000000000000000000000000', userEmail: 'someone-else@example.com' }), 403, 'forbidden'],
];

const SETTINGS_CASES: readonly Case[] = [
  ['an empty body', () => ({}), 400, 'invalid_request'],
  ['an unknown setting', (email) => ({ userEmail: email, update: { theme: 'dark' } }), 400, 'invalid_request'],
  ['a bad caller id', (email) => ({ userEmail: email, update: { caller_id: '555' } }), 400, 'invalid_phone_number'],
  ['a bad mock config', (email) => ({ userEmail: email, update: { mock_config: { dialSeconds: -1 } } }), 400, 'invalid_request'],
  ['another user’s email', () => ({ userEmail: 'someone-else@example.com', update: { use_mock_dialer: false } }), 403, 'forbidden'],
];

describe.each(DATABASE_KINDS)('IN1 bad input gets a coded error and writes nothing on %s', (kind) => {
  let server: TestServer;
  let user: Awaited<ReturnType<TestServer['signUp']>>;
  let foreignLead: string;
  beforeAll(async () => {
    server = await startTestServer(kind);
    user = await server.signUp('bad-input');
    foreignLead = await insertLead(server.db, 'someone-else@example.com');
  });
  afterAll(async () => {
    await server.close();
  });

  async function snapshot() {
    return {
      calls: await countRows(server.db, 'active_calls'),
      logs: await countRows(server.db, 'call_logs'),
      settings: (await server.db.sql`select * from dialer_settings order by user_email`).map((row) => JSON.stringify(row)),
    };
  }

  for (const [name, cases] of [
    ['mockDialerCall', MOCK_CASES],
    ['twilioInitiateCall', TWILIO_CASES],
    ['twilioEndCall', END_CASES],
    ['dialerSettings', SETTINGS_CASES],
  ] as const) {
    it.each(cases)(`IN1 ${name} with %s`, async (_what, body, status, code) => {
      const before = await snapshot();
      const result = await invoke(user.client, name, body(user.email, { foreignLead }));
      expect(result.status).toBe(status);
      expect(result.body).toEqual({ code, message: expect.stringMatching(/\w{3,}/) });
      expect(await snapshot()).toEqual(before);
    });
  }

  it('IN1 a body that is not JSON, an unknown function, and no access token', async () => {
    const headers = { apikey: server.tokens.anonKey, authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' };
    const notJson = await fetch(`${server.url}/functions/v1/mockDialerCall`, { method: 'POST', headers, body: '{to:' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'invalid_request' });
    const unknown = await fetch(`${server.url}/functions/v1/dropDatabase`, { method: 'POST', headers, body: '{}' });
    expect(unknown.status).toBe(404);
    const anon = await fetch(`${server.url}/functions/v1/mockDialerCall`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${server.tokens.anonKey}` },
      body: JSON.stringify({ to: '+14155550100', userEmail: user.email, lineNumber: 1 }),
    });
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ code: 'unauthorized' });
    expect(await countRows(server.db, 'active_calls')).toBe(0);
  });
});

import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../src/core/errors.js';
import { SIM_NUMBERS } from './twilio-sim/scenarios.js';
import { insertLead } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { placeTwilioCall, readCall, signUpProductionRep, startProductionStack, twilioLogsOf, type ProductionStack } from './support/twilio.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Places a call that Twilio refuses and checks what the rep and the database are left with. */
async function expectRefusal(stack: ProductionStack, to: string, expected: { status: number; code: ErrorCode; twilioCode: number | undefined; reason: RegExp }, settings: Record<string, unknown> = {}) {
  const { server } = stack;
  const rep = await signUpProductionRep(server, `refused-${expected.code}`, settings);
  const leadId = await insertLead(server.db, rep.email, 'Alan Turing', to);
  const result = await placeTwilioCall(rep.client, { to, userEmail: rep.email, leadId });
  expect(result.status).toBe(expected.status);
  expect(result.body['code']).toBe(expected.code);
  const message = result.body['message'] as string;
  expect(message).toMatch(expected.reason);
  if (expected.twilioCode !== undefined) expect(message).toContain(`Twilio error ${expected.twilioCode}`);

  // The row never stays dialing: it failed, with the same reason for the UI to show.
  const [row] = await server.db.sql<{ id: string }>`select id from active_calls where user_email = ${rep.email}`;
  const call = await readCall(server.db, row?.id ?? '');
  expect(call).toMatchObject({ status: 'failed', status_source: 'system', last_error: message, call_sid: null });
  const history = await server.db.sql`select outcome, last_error from call_logs where active_call_id = ${call.id}`;
  expect(history).toEqual([{ outcome: 'failed', last_error: message }]);
  const [lead] = await server.db.sql`select status, attempts from leads where id = ${leadId}`;
  expect(lead).toEqual({ status: 'attempted', attempts: 1 });
  const exchanges = await twilioLogsOf(server.db, call.id);
  expect(exchanges.map((e) => [e.direction, e.event, e.outcome])).toEqual([
    ['request', 'calls.create', null],
    ['response', 'calls.create', expected.twilioCode === undefined ? 'unreachable' : 'refused'],
  ]);
  if (expected.twilioCode !== undefined) expect(exchanges[1]?.payload).toMatchObject({ twilioCode: expected.twilioCode });
}

describe.each(DATABASE_KINDS)('Twilio refusals reach the rep with their code, and the row ends failed, on %s', (kind) => {
  const stacks: ProductionStack[] = [];
  let stack: ProductionStack;
  beforeAll(async () => {
    stack = await startProductionStack(kind, { server: { requestTimeoutMs: 400 } });
    stacks.push(stack);
  });
  afterAll(async () => {
    for (const s of stacks) await s.close();
  });

  it.each([
    ['invalid number', SIM_NUMBERS.invalid, 21211, 'twilio_invalid_number', 422, /not a valid phone number/],
    ['unreachable number', SIM_NUMBERS.unreachable, 21214, 'twilio_invalid_number', 422, /cannot reach this phone number/],
    ['number Twilio does not support', SIM_NUMBERS.unsupported, 13224, 'twilio_invalid_number', 422, /does not support calling this number/],
    ['no geographic permission', SIM_NUMBERS.geoPermission, 21215, 'twilio_geo_permission', 422, /Geographic Permissions/],
    ['rate limit', SIM_NUMBERS.rateLimited, 20429, 'twilio_rate_limited', 429, /wait a moment/],
  ] as const)('%s (%s): Twilio error %i becomes %s', async (_what, to, twilioCode, code, status, reason) => {
    await expectRefusal(stack, to, { status, code, twilioCode, reason });
  });

  it('Twilio error 21210: a caller ID the Twilio account has not verified', async () => {
    await expectRefusal(stack, SIM_NUMBERS.human, { status: 422, code: 'twilio_caller_id_unverified', twilioCode: 21210, reason: /caller ID is not a Twilio number or a verified caller ID/ }, { caller_id: '+14155550177' });
  });

  it('Twilio error 20003: the server’s credentials are refused', async () => {
    const wrong = await startProductionStack(kind, { config: { apiSecret: 'not-the-secret' } });
    stacks.push(wrong);
    await expectRefusal(wrong, SIM_NUMBERS.human, { status: 502, code: 'twilio_auth_failed', twilioCode: 20003, reason: /refused this server’s credentials/ });
  });

  it('Twilio cannot be reached: twilio_unreachable, and the row does not stay dialing', async () => {
    const port = await closedPort();
    const down = await startProductionStack(kind, { config: { apiBaseUrl: `http://127.0.0.1:${port}` } });
    stacks.push(down);
    await expectRefusal(down, SIM_NUMBERS.human, { status: 504, code: 'twilio_unreachable', twilioCode: undefined, reason: /Could not reach Twilio.*ECONNREFUSED/ });
  });

  it('Twilio does not answer in time: twilio_unreachable, and the row does not stay dialing', async () => {
    await expectRefusal(stack, SIM_NUMBERS.stall, { status: 504, code: 'twilio_unreachable', twilioCode: undefined, reason: /did not answer in time.*timeout/ });
  });
});

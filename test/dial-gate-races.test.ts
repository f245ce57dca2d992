import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addToDoNotCall } from '../src/db/do-not-call.js';
import { fastConfig, invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * On PostgreSQL the dials race on concurrent connections; on PGlite (one transaction at a time)
 * they race as concurrent requests, whose gate steps interleave between transactions.
 */
const LINES = [1, 2, 3] as const;

interface DialResult {
  readonly sentAt: number;
  readonly status: number;
  readonly code: unknown;
}

describe.each(DATABASE_KINDS)('CG1 the gate holds under concurrent dials, on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let reps: SignedUpUser[];
  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('race-admin');
    reps = [admin];
    for (let i = 0; i < 3; i++) reps.push(await server.signUpInto(admin.client, 'rep', `race-rep${i}`));
  });
  afterEach(async () => {
    for (const rep of reps) {
      const live = await server.db.sql<{ call_sid: string | null }>`select call_sid from active_calls where user_email = ${rep.email} and not dialer_is_terminal(status)`;
      for (const call of live) if (call.call_sid) await invoke(rep.client, 'twilioEndCall', { callSid: call.call_sid, userEmail: rep.email });
    }
  });
  afterAll(async () => {
    await server.close();
  });

  /** One dial per (rep, line): 4 reps × 3 lines, all sent at once (after `delayMs` each, when given). */
  async function dialFromEveryLine(to: string, delayMs: (index: number) => number = () => 0): Promise<DialResult[]> {
    const slots = reps.flatMap((rep) => LINES.map((lineNumber) => ({ rep, lineNumber })));
    return Promise.all(
      slots.map(async ({ rep, lineNumber }, index) => {
        const delay = delayMs(index);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        const sentAt = Date.now();
        const result = await invoke(rep.client, 'mockDialerCall', { to, userEmail: rep.email, lineNumber, mockConfig: fastConfig('completed', { ringSeconds: [30, 30] }) });
        return { sentAt, status: result.status, code: result.body['code'] };
      }),
    );
  }

  const callsTo = async (to: string) => (await server.db.sql<{ n: number }>`select count(*)::int as n from active_calls where to_number = ${to}`)[0]?.n;
  const refusalsFor = async (to: string, code: string) =>
    (await server.db.sql<{ n: number }>`select count(*)::int as n from compliance_events where phone_number = ${to} and kind = 'dial_refused' and code = ${code}`)[0]?.n;

  it('CG1 a do-not-call entry commits, then 12 dials of the number from 4 reps at once: every one is refused and no call is written', async () => {
    expect((await invoke(admin.client, 'setComplianceSettings', { maxAttemptsPer24h: null })).status).toBe(200);
    const to = '+14155550170';
    await server.db.transaction((tx) => addToDoNotCall(tx, { userEmail: reps[1]?.email ?? '', numbers: [to], source: 'manual' }));
    const results = await dialFromEveryLine(to);
    expect(results.map((result) => result.code)).toEqual(results.map(() => 'do_not_call'));
    expect(await callsTo(to)).toBe(0);
    expect(await refusalsFor(to, 'do_not_call')).toBe(12);
  });

  it.each([1, 2, 3])('CG1 a do-not-call add racing dials (round %i): no dial sent after the add committed goes out', async (round) => {
    expect((await invoke(admin.client, 'setComplianceSettings', { maxAttemptsPer24h: null })).status).toBe(200);
    const to = `+1415555018${round}`;
    // Dials spread over ~60 ms; the add lands in the middle of them.
    const dials = dialFromEveryLine(to, (index) => index * 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.db.transaction((tx) => addToDoNotCall(tx, { userEmail: admin.email, numbers: [to], source: 'manual' }));
    const committedAt = Date.now();
    // And a last dial surely after the commit.
    const late = await invoke(admin.client, 'checkDial', { to });
    const results = await dials;
    expect(late.body).toMatchObject({ allowed: false, code: 'do_not_call' });
    const afterCommit = results.filter((result) => result.sentAt > committedAt);
    for (const result of afterCommit) expect(result.code).toBe('do_not_call');
    for (const result of results) expect([200, 409]).toContain(result.status);
    // Every dial was either placed (a call row) or refused (one refusal row); nothing else.
    const placed = results.filter((result) => result.status === 200).length;
    expect(await callsTo(to)).toBe(placed);
    expect(await refusalsFor(to, 'do_not_call')).toBe(results.length - placed);
  });

  it.each([1, 2, 3])('CG1 a cap of k = %i: 12 dials of one number from 4 reps at once place exactly k calls', async (k) => {
    expect((await invoke(admin.client, 'setComplianceSettings', { maxAttemptsPer24h: k })).status).toBe(200);
    const to = `+1415555019${k}`;
    const results = await dialFromEveryLine(to);
    expect(results.filter((result) => result.status === 200)).toHaveLength(k);
    expect(results.filter((result) => result.code === 'attempt_limit_reached')).toHaveLength(12 - k);
    expect(await callsTo(to)).toBe(k);
    expect(await refusalsFor(to, 'attempt_limit_reached')).toBe(12 - k);
  });
});

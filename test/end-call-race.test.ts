import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastConfig, invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/** The answer must land between the hang-up's read and its write: a second connection (PostgreSQL). */
const POSTGRES_KINDS = DATABASE_KINDS.filter((kind) => kind === 'postgres');

describe.each(POSTGRES_KINDS)('a hang-up at the moment of the answer, on %s', (kind) => {
  let server: TestServer;
  let rep: SignedUpUser;
  beforeAll(async () => {
    server = await startTestServer(kind);
    rep = await server.signUp('end-race');
  });
  afterAll(async () => {
    await server.close();
  });

  it('ST1 a demo call answered after the hang-up read it as dialing ends completed, not "already ended"', async () => {
    // Dialing for a minute: the simulator plays nothing during the test.
    const placed = await invoke(rep.client, 'mockDialerCall', { to: '+14155550188', userEmail: rep.email, lineNumber: 1, mockConfig: fastConfig('completed', { dialSeconds: 60 }) });
    expect(placed.status).toBe(200);
    const callId = placed.body['callId'] as string;
    const callSid = placed.body['callSid'] as string;

    let hangUp: Promise<{ status: number; body: Record<string, unknown> }> | undefined;
    await server.db.transaction(async (tx) => {
      // Hold the row: the hang-up reads it (still dialing, the answer is not committed) and waits.
      await tx.sql`select id from active_calls where id = ${callId} for update`;
      hangUp = invoke(rep.client, 'twilioEndCall', { callSid, userEmail: rep.email });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.sql`update active_calls set status = 'ringing' where id = ${callId}`;
      await tx.sql`update active_calls set status = 'in-progress', answered_at = now() where id = ${callId}`;
    });
    const answer = await hangUp;
    expect(answer?.body).toMatchObject({ ended: true, status: 'completed' });
    const [row] = await server.db.sql<{ status: string; status_source: string }>`select status, status_source from active_calls where id = ${callId}`;
    expect(row).toEqual({ status: 'completed', status_source: 'manual' });
  });
});

import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isTerminal, type CallStatus } from '../src/core/call-status.js';
import type { ActiveCallRow } from '../src/db/active-calls.js';
import { daytimeHumanNumber } from './twilio-sim/scenarios.js';
import { startTwilioSim, type TwilioSim } from './twilio-sim/twilio-sim.js';
import { invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useServerProcesses, type ServerProcess } from './support/server-process.js';
import { waitFor } from './support/server.js';
import { waitForSimCall } from './support/twilio.js';

const SECRET = 'twilio-restart-test-secret-long-enough-to-sign';
const PASSWORD = 'restart password';

// Real server processes (PGlite on disk takes seconds to open): allow for a busy machine.
describe.each(DATABASE_KINDS)('RS1 killing the server mid-call in production mode on %s', { timeout: 90_000 }, (kind) => {
  const { storage, start, onCleanup } = useServerProcesses(kind, SECRET);

  async function clientOf(server: ServerProcess): Promise<SupabaseClient> {
    const { anonKey } = (await (await fetch(`${server.url}/config.json`)).json()) as { anonKey: string };
    return createClient(server.url, anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } });
  }

  it('RS1 after kill -9 Twilio finishes the call with nobody listening; the restarted server reconciles it from Twilio', async () => {
    const sim: TwilioSim = await startTwilioSim({ timing: { ringMs: 300, talkMs: 1500 } });
    onCleanup(() => sim.close());
    const store = await storage();
    // One variable: TWILIO_API_BASE_URL alone selects the local simulator and its account.
    const env = { ...store.env, TWILIO_API_BASE_URL: sim.url };

    const first = await start(env);
    const rep = await clientOf(first);
    const email = `twilio-restart-${Date.now()}@example.com`;
    expect((await rep.auth.signUp({ email, password: PASSWORD })).error).toBeNull();
    const placed = await invoke(rep, 'twilioInitiateCall', { to: daytimeHumanNumber(), userEmail: email, lineNumber: 1, enableAMD: false, enableRecording: false });
    expect(placed.status).toBe(200);
    const callId = placed.body['callId'] as string;
    const callSid = placed.body['callSid'] as string;

    await waitForSimCall(sim, callSid, (call) => call.status === 'in-progress', 'the call to be answered');
    await first.stop('SIGKILL');
    await waitForSimCall(sim, callSid, (call) => call.status === 'completed', 'the callee to hang up');
    const lost = await waitFor(async () => sim.deliveries.find((d) => d.callSid === callSid && d.params['CallStatus'] === 'completed'), 10_000, 'Twilio to try the completed callback');
    expect(lost.error).toBeDefined();

    const second = await start(env);
    const again = await clientOf(second);
    expect((await again.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
    const seen = await waitFor(
      async () => {
        const { data } = await again.from('active_calls').select('status').eq('id', callId).maybeSingle<{ status: CallStatus }>();
        return data && isTerminal(data.status) ? data : undefined;
      },
      20_000,
      'the restarted server to finish the call',
    );
    expect(seen.status).toBe('completed');
    await second.stop('SIGTERM');

    const db = await store.open();
    try {
      const [call] = await db.sql<ActiveCallRow>`select * from active_calls where id = ${callId}`;
      expect(call).toMatchObject({ status: 'completed', status_source: 'system', call_sid: callSid, last_error: null });
      expect(call?.answered_at).toBeInstanceOf(Date);
      expect(call?.duration_seconds).toBeGreaterThanOrEqual(1);
      const history = await db.sql`select outcome, status_source from call_logs where active_call_id = ${callId}`;
      expect(history).toEqual([{ outcome: 'completed', status_source: 'system' }]);
      const fetched = await db.sql`select outcome from twilio_call_logs where active_call_id = ${callId} and event = 'calls.fetch' and direction = 'response'`;
      expect(fetched).toContainEqual({ outcome: 'moved' });
    } finally {
      await db.close();
    }
  });
});

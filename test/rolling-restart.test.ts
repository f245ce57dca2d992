import { connect } from 'node:net';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { followCalls, isNewerCall, type WatchMode } from '../src/client/live-subscription.js';
import { isTerminal } from '../src/core/call-status.js';
import type { ActiveCall } from '../src/core/rows.js';
import type { ActiveCallRow } from '../src/db/active-calls.js';
import { SERVICE_RESTART_CLOSE_CODE } from '../src/realtime/room.js';
import { TWILIO_WEBHOOK_PREFIX, TWILIO_WEBHOOKS } from '../src/webhooks/twilio-webhook-urls.js';
import { daytimeHumanNumber } from './twilio-sim/scenarios.js';
import { startTwilioSim } from './twilio-sim/twilio-sim.js';
import { findFreePort, startBalancer } from './support/balancer.js';
import { fastConfig, invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useServerProcesses } from './support/server-process.js';
import { waitFor } from './support/server.js';
import { waitForSimCall } from './support/twilio.js';

const SECRET = 'rolling-restart-secret-long-enough-to-sign-tokens';
const PASSWORD = 'rolling restart';
const STATUS_PATH = `${TWILIO_WEBHOOK_PREFIX}/${TWILIO_WEBHOOKS.status}`;

async function isRefusing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A rep's browser: supabase-js through the balancer, its realtime closes recorded, its calls followed as the UI's hooks do. */
async function openRep(url: string, anonKey: string, prefix: string) {
  const closes: Array<{ code: number; reason: string }> = [];
  const client: SupabaseClient = createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: {
      transport: WebSocket as never,
      logger: (kind: string, message: string, data?: { code?: number; reason?: string }) => {
        if (kind === 'transport' && message === 'close' && data?.code !== undefined) closes.push({ code: data.code, reason: String(data.reason ?? '') });
      },
    },
  });
  const email = `${prefix}-${Date.now()}@example.com`;
  const signUp = await client.auth.signUp({ email, password: PASSWORD });
  if (signUp.error) throw signUp.error;
  const calls = new Map<string, ActiveCall>();
  const modes: WatchMode[] = [];
  const offer = (row: ActiveCall) => {
    if (isNewerCall(calls.get(row.id) ?? null, row)) calls.set(row.id, row);
  };
  const stop = followCalls(
    client,
    {
      name: `${prefix}-calls`,
      filter: `user_email=eq.${email}`,
      refetch: async () => {
        const { data } = await client.from('active_calls').select('*').eq('user_email', email);
        for (const row of (data ?? []) as ActiveCall[]) offer(row);
      },
      onRow: offer,
      onMode: (mode) => modes.push(mode),
    },
    { pollIntervalMs: 1_000, resubscribeDelayMs: 500 },
  );
  await waitFor(async () => (modes.includes('live') ? true : undefined), 20_000, `${prefix} to subscribe`);
  return { client, email, calls, modes, closes, stop };
}

// Two instances on one PostgreSQL behind a balancer (PUBLIC_URL is the balancer's address, as in production).
describe.runIf(DATABASE_KINDS.includes('postgres'))('rolling restart: two instances, one stopped with SIGTERM in the middle of calls', { timeout: 180_000 }, () => {
  const { storage, start, onCleanup } = useServerProcesses('postgres', SECRET);

  it('RS1 no call stuck, no callback lost, one history row per call, and live clients move to the other instance', async () => {
    const balancer = await startBalancer();
    onCleanup(() => balancer.close());
    // Each Twilio call is answered, then the callee talks for 6 s: calls placed apart end apart.
    const sim = await startTwilioSim({ timing: { ringMs: 300, talkMs: 6_000 } });
    onCleanup(() => sim.close());
    const store = await storage();
    const [portA, portB] = [await findFreePort(), await findFreePort()];
    const env = { ...store.env, TWILIO_API_BASE_URL: sim.url, PUBLIC_URL: balancer.url };
    const a = await start({ ...env, PORT: String(portA) });
    const b = await start({ ...env, PORT: String(portB) });
    // The balancer sends everything to A while A takes connections, then to B.
    balancer.setBackends([portA, portB]);

    const { anonKey } = (await (await fetch(`${balancer.url}/config.json`)).json()) as { anonKey: string };
    const demoRep = await openRep(balancer.url, anonKey, 'rolling-demo');
    const twilioRep = await openRep(balancer.url, anonKey, 'rolling-twilio');
    onCleanup(async () => {
      demoRep.stop();
      twilioRep.stop();
      await demoRep.client.removeAllChannels();
      await twilioRep.client.removeAllChannels();
    });

    // Demo calls on A's timers, each talking 12 s: they are mid-call when A stops.
    const demoIds: string[] = [];
    for (const lineNumber of [1, 2, 3]) {
      const placed = await invoke(demoRep.client, 'mockDialerCall', {
        to: `+1415555019${lineNumber}`,
        userEmail: demoRep.email,
        lineNumber,
        mockConfig: fastConfig('completed', { dialSeconds: 0.1, ringSeconds: [0.5, 0.5], talkSeconds: [12, 12] }),
      });
      expect(placed.status).toBe(200);
      demoIds.push(placed.body['callId'] as string);
    }

    // Twilio calls, 2 s apart; the first one's `completed` callback will be in flight at A when A stops.
    const held = balancer.holdNext(({ path, body }) => path.startsWith(STATUS_PATH) && body.includes('CallStatus=completed'));
    const twilio: Array<{ callId: string; callSid: string }> = [];
    for (const lineNumber of [1, 2, 3]) {
      const placed = await invoke(twilioRep.client, 'twilioInitiateCall', { to: daytimeHumanNumber(), userEmail: twilioRep.email, lineNumber, enableAMD: false, enableRecording: false });
      expect(placed.status, JSON.stringify(placed.body)).toBe(200);
      twilio.push({ callId: placed.body['callId'] as string, callSid: placed.body['callSid'] as string });
      await waitForSimCall(sim, placed.body['callSid'] as string, (call) => call.status === 'in-progress', 'the callee to answer');
      if (lineNumber < 3) await new Promise((resolve) => setTimeout(resolve, 2_000));
    }

    await within(held.sent, 30_000, 'the first completed callback to reach A');
    // Before A stops, every call is still live (none ended early by anything but its callee).
    for (const id of [...demoIds, ...twilio.slice(1).map((c) => c.callId)]) expect(isTerminal(demoRep.calls.get(id)?.status ?? twilioRep.calls.get(id)?.status ?? 'dialing')).toBe(false);

    const aStopped = a.stop('SIGTERM');
    await waitFor(async () => ((await isRefusing(portA)) ? true : undefined), 30_000, 'A to stop taking connections');
    held.release();
    const heldAnswer = await within(held.answered, 30_000, 'A to answer the callback in flight');
    expect(heldAnswer.port, 'the callback in flight at SIGTERM is finished by A').toBe(portA);
    expect(heldAnswer.status).toBeGreaterThanOrEqual(200);
    expect(heldAnswer.status).toBeLessThan(300);
    await aStopped;
    expect(a.child.exitCode).toBe(0);

    // Every call ends, on the instance that is left.
    const db = await store.open();
    onCleanup(() => db.close());
    const allIds = [...demoIds, ...twilio.map((c) => c.callId)];
    const rows = await waitFor(
      async () => {
        const found = await db.sql<ActiveCallRow>`select * from active_calls where id = any(${allIds}::uuid[])`;
        return found.length === allIds.length && found.every((row) => isTerminal(row.status)) ? found : undefined;
      },
      60_000,
      'every call to end',
    );
    for (const row of rows) expect({ id: row.id, status: row.status, last_error: row.last_error }).toEqual({ id: row.id, status: 'completed', last_error: null });

    // No callback lost: Twilio's every delivery got a 2xx, the later ones from B; the balancer never found nobody.
    for (const { callSid } of twilio) await waitForSimCall(sim, callSid, (call) => call.status === 'completed', 'the simulated call to end');
    await waitFor(async () => (twilio.every(({ callSid }) => sim.deliveries.some((d) => d.callSid === callSid && d.params['CallStatus'] === 'completed')) ? true : undefined), 20_000, 'every completed callback');
    const failed = sim.deliveries.filter((d) => d.error !== undefined || d.status === undefined || d.status < 200 || d.status >= 300);
    expect(failed.map((d) => ({ url: d.url, status: d.status, error: d.error }))).toEqual([]);
    expect(balancer.requests.filter((r) => r.port === undefined)).toEqual([]);
    expect(balancer.requests.some((r) => r.port === portB && r.path.startsWith(STATUS_PATH))).toBe(true);

    // Exactly one history row per call.
    const history = await db.sql<{ active_call_id: string; rows: number }>`select active_call_id, count(*)::int as rows from call_logs where active_call_id = any(${allIds}::uuid[]) group by active_call_id`;
    expect(history.map((h) => h.rows)).toEqual(allIds.map(() => 1));

    // Each browser saw A close its socket for a restart, came back through the balancer to B, and shows the final rows.
    for (const rep of [demoRep, twilioRep]) {
      expect(rep.closes).toContainEqual({ code: SERVICE_RESTART_CLOSE_CODE, reason: expect.stringMatching(/^Service restart/) });
      const finals = await waitFor(async () => {
        const ids = rep === demoRep ? demoIds : twilio.map((c) => c.callId);
        return ids.every((id) => rep.calls.get(id)?.status === 'completed') ? true : undefined;
      }, 30_000, 'the browser to show every call completed');
      expect(finals).toBe(true);
      // Polling while the socket was down, then live again once realtime-js reconnected (to B) and rejoined.
      await waitFor(async () => (rep.modes.includes('polling') && rep.modes.lastIndexOf('live') > rep.modes.indexOf('polling') ? true : undefined), 30_000, `live again (modes ${rep.modes.join(', ')})`);
    }
    expect(b.child.exitCode).toBeNull();
  });
});

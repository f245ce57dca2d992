import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Database } from '../src/db/database.js';
import type { ActiveCallRow } from '../src/db/active-calls.js';
import { RESTART_ERROR } from '../src/telephony/mock/mock-provider.js';
import { fastConfig, invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useServerProcesses, type ServerProcess } from './support/server-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SECRET = 'restart-test-secret-that-is-long-enough-to-sign';

// Each test starts real server processes (PGlite on disk takes seconds to open): allow for a busy machine.
describe.each(DATABASE_KINDS)('RS1 a restart mid-call on %s', { timeout: 90_000 }, (kind) => {
  const { storage, start } = useServerProcesses(kind, SECRET);

  async function placeCall(server: ServerProcess, config: ReturnType<typeof fastConfig>) {
    const client = createClient(server.url, (await (await fetch(`${server.url}/config.json`)).json() as { anonKey: string }).anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    const email = `restart-${Date.now()}@example.com`;
    const { error } = await client.auth.signUp({ email, password: 'restart password' });
    expect(error).toBeNull();
    const placed = await invoke(client, 'mockDialerCall', { to: '+14155550180', userEmail: email, lineNumber: 1, mockConfig: config });
    expect(placed.status).toBe(200);
    return placed.body['callId'] as string;
  }

  async function readCall(open: () => Promise<Database>, callId: string) {
    const db = await open();
    try {
      const [call] = await db.sql<ActiveCallRow>`select * from active_calls where id = ${callId}`;
      const logs = await db.sql<{ outcome: string }>`select outcome from call_logs where active_call_id = ${callId}`;
      return { call, logs };
    } finally {
      await db.close();
    }
  }

  it('RS1 after kill -9 and a quick restart, the simulated call resumes its timeline to the end', async () => {
    const store = await storage();
    const first = await start(store.env);
    const callId = await placeCall(first, fastConfig('completed', { dialSeconds: 0.2, ringSeconds: [1.5, 1.5], talkSeconds: [1.5, 1.5] }));
    await sleep(500);
    await first.stop('SIGKILL');

    const second = await start(store.env);
    await sleep(5_000);
    await second.stop('SIGTERM');
    const { call, logs } = await readCall(store.open, callId);
    expect(call?.status).toBe('completed');
    expect(call?.answered_at).toBeInstanceOf(Date);
    expect(call?.last_error).toBeNull();
    expect(logs).toEqual([{ outcome: 'completed' }]);
  });

  it('RS1 a call whose end fell due while the server was down longer than the grace period ends failed, saying why', async () => {
    const store = await storage();
    const first = await start(store.env);
    const callId = await placeCall(first, fastConfig('completed', { dialSeconds: 0.1, ringSeconds: [0.2, 0.2], talkSeconds: [1, 1] }));
    await sleep(800);
    await first.stop('SIGKILL');
    await sleep(1_000);

    const second = await start({ ...store.env, MOCK_RESUME_GRACE_SECONDS: '0.5' });
    await sleep(300);
    await second.stop('SIGTERM');
    const { call, logs } = await readCall(store.open, callId);
    expect(call?.status).toBe('failed');
    expect(call?.last_error).toBe(RESTART_ERROR);
    expect(logs).toEqual([{ outcome: 'failed' }]);
  });
});

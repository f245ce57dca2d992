import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openPostgres } from '../src/db/postgres.js';
import { fastConfig, invoke, waitForEnd } from './support/calls.js';
import { createEmptyDatabase, REALTIME_POSTGRES_KINDS, type TestDatabase } from './support/databases.js';
import { startDemoCallsAtMidday } from './support/dial-clock.js';
import { subscribe } from './support/realtime.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

const SECRET = 'two-process-secret-long-enough-for-signing-tokens';

// Several server processes share one PostgreSQL server (each capture); PGlite is embedded in one process.
describe.each(REALTIME_POSTGRES_KINDS)('two server processes on one PostgreSQL (%s)', { timeout: 60_000 }, (kind) => {
  let database: TestDatabase;
  let dataDir: string;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    database = await createEmptyDatabase(kind);
    // The processes' gates have the real clock: demo calls start on a weekday midday instead.
    await startDemoCallsAtMidday(database.db);
    await database.db.close();
    dataDir = await mkdtemp(join(tmpdir(), 'dialer-two-'));
    // Each test signs up a user of their own: each the admin of a workspace of their own.
    const env = { DATABASE_URL: database.url ?? '', JWT_SECRET: SECRET, DIALER_DATA_DIR: dataDir, OPEN_SIGNUP: 'true' };
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    await database.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  function clientOf(server: ServerProcess, anonKey: string) {
    return createClient(server.url, anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } });
  }

  it('a subscriber on one process sees every change of a call placed through the other', async () => {
    const [first, second] = servers;
    if (!first || !second) throw new Error('servers did not start');
    const { anonKey } = (await (await fetch(`${first.url}/config.json`)).json()) as { anonKey: string };
    const email = `two-${Date.now()}@example.com`;
    const writer = clientOf(second, anonKey);
    const signUp = await writer.auth.signUp({ email, password: 'two processes' });
    expect(signUp.error).toBeNull();

    const reader = clientOf(first, anonKey);
    await reader.auth.signInWithPassword({ email, password: 'two processes' });
    const sub = subscribe(reader, 'active_calls', `user_email=eq.${email}`);
    await sub.waitForState('SUBSCRIBED');

    const placed = await invoke(writer, 'mockDialerCall', { to: '+14155550195', userEmail: email, lineNumber: 1, mockConfig: fastConfig('busy') });
    expect(placed.status).toBe(200);
    const changes = await sub.waitForChanges(2);
    expect(changes.map((c) => [c.eventType, (c.new as { status: string }).status])).toEqual([
      ['INSERT', 'dialing'],
      ['UPDATE', 'busy'],
    ]);
    await reader.removeAllChannels();
  });

  it('RS1 when the process playing a simulated call dies, the other one finishes the call', async () => {
    const [first, second] = servers;
    if (!first || !second) throw new Error('servers did not start');
    const { anonKey } = (await (await fetch(`${first.url}/config.json`)).json()) as { anonKey: string };
    const email = `takeover-${Date.now()}@example.com`;
    const writer = clientOf(second, anonKey);
    expect((await writer.auth.signUp({ email, password: 'two processes' })).error).toBeNull();
    const placed = await invoke(writer, 'mockDialerCall', {
      to: '+14155550196',
      userEmail: email,
      lineNumber: 2,
      mockConfig: fastConfig('completed', { dialSeconds: 0.1, ringSeconds: [0.5, 0.5], talkSeconds: [4, 4] }),
    });
    expect(placed.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await second.stop('SIGKILL');

    const db = openPostgres(database.url ?? '', { max: 1 });
    try {
      const ended = await waitForEnd(db, placed.body['callId'] as string, 25_000);
      expect(ended).toMatchObject({ status: 'completed', last_error: null });
      expect(ended.answered_at).toBeInstanceOf(Date);
    } finally {
      await db.close();
    }
  });
});

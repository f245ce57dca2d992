import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Database } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { insertLead } from './support/calls.js';
import { createEmptyDatabase, REALTIME_POSTGRES_KINDS, type TestDatabase } from './support/databases.js';
import { subscribe, type Subscription } from './support/realtime.js';
import { waitFor } from './support/server.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

const SECRET = 'three-process-secret-long-enough-for-signing-tokens';
const LEADS = 3;
const UPDATES_PER_LEAD = 15;
const WRITERS = 4;

describe.each(REALTIME_POSTGRES_KINDS)('RT2 three server processes on one PostgreSQL (%s)', { timeout: 120_000 }, (kind) => {
  let database: TestDatabase;
  let dataDir: string;
  let writer: Database;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    database = await createEmptyDatabase(kind);
    await database.db.close();
    dataDir = await mkdtemp(join(tmpdir(), 'dialer-three-'));
    const env = { DATABASE_URL: database.url ?? '', JWT_SECRET: SECRET, DIALER_DATA_DIR: dataDir };
    // One at a time: the first applies the migrations.
    for (let index = 0; index < 3; index++) servers.push(await startServerProcess(env));
    // Ready includes change capture: each process's feed (and, under logical capture, its slot) is up.
    for (const server of servers) await waitFor(async () => ((await fetch(`${server.url}/ready`)).status === 200 ? true : undefined), 30_000, '/ready');
    writer = openPostgres(database.url ?? '', { max: WRITERS });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    await writer.close();
    await database.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('RT2 each process delivers every change to its own sockets, in commit order per row', async () => {
    const capture = kind === 'postgres' ? 'logical' : 'notify';
    const slots = await writer.sql<{ n: number }>`select count(*)::int as n from pg_replication_slots where database = current_database() and temporary`;
    expect(slots[0]?.n).toBe(capture === 'logical' ? 3 : 0);

    const first = servers[0];
    if (!first) throw new Error('servers did not start');
    const { anonKey } = (await (await fetch(`${first.url}/config.json`)).json()) as { anonKey: string };
    const email = `three-${kind}-${Date.now()}@example.com`;
    const clientOf = (server: ServerProcess) =>
      createClient(server.url, anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } });
    expect((await clientOf(first).auth.signUp({ email, password: 'three processes' })).error).toBeNull();
    const readers = servers.map(clientOf);
    const subs: Subscription[] = [];
    for (const reader of readers) {
      expect((await reader.auth.signInWithPassword({ email, password: 'three processes' })).error).toBeNull();
      const sub = subscribe(reader, 'leads', `user_email=eq.${email}`);
      await sub.waitForState('SUBSCRIBED');
      subs.push(sub);
    }

    // Concurrent writers; each row's updates are serialised by its row lock, so the value each
    // update returns is its commit order for that row.
    const leadIds: string[] = [];
    for (let index = 0; index < LEADS; index++) leadIds.push(await insertLead(writer, email, `Lead ${index}`, `+1415555020${index}`));
    const work = leadIds.flatMap((id) => Array.from({ length: UPDATES_PER_LEAD }, () => id));
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, worker) => {
        for (let index = worker; index < work.length; index += WRITERS) await writer.sql`update leads set attempts = attempts + 1 where id = ${work[index]}`;
      }),
    );

    const expected = LEADS + LEADS * UPDATES_PER_LEAD;
    for (const sub of subs) {
      const changes = await sub.waitForChanges(expected, 30_000);
      expect(changes).toHaveLength(expected);
      for (const id of leadIds) {
        const ofRow = changes.filter((c) => (c.new as { id?: string }).id === id);
        expect(ofRow.map((c) => c.eventType)).toEqual(['INSERT', ...Array<string>(UPDATES_PER_LEAD).fill('UPDATE')]);
        expect(ofRow.map((c) => (c.new as { attempts: number }).attempts)).toEqual(Array.from({ length: UPDATES_PER_LEAD + 1 }, (_, n) => n));
      }
    }
    await Promise.all(readers.map((reader) => reader.removeAllChannels()));
  });
});

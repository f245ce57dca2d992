import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Row } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { loadRealtimeCatalog, REALTIME_TABLES, TABLE_KEYS, type RealtimeTable } from '../src/realtime/catalog.js';
import { CHANGE_CHANNEL, startChangeFeed, type TableChange } from '../src/realtime/change-feed.js';
import { FEED_RESTART_REASON } from '../src/realtime/realtime-server.js';
import { SERVICE_RESTART_CLOSE_CODE } from '../src/realtime/room.js';
import { insertLead } from './support/calls.js';
import { REALTIME_DATABASE_KINDS, TEST_DATABASE_URL, type DatabaseKind } from './support/databases.js';
import { addMember } from './support/members.js';
import { subscribe } from './support/realtime.js';
import { startTestServer, waitFor, type TestServer } from './support/server.js';

const EXPECTED_CAPTURE: Record<DatabaseKind, 'logical' | 'notify'> = { pglite: 'notify', postgres: 'logical', 'postgres-notify': 'notify' };
const silent = pino({ level: 'silent' });

/** Writes one row of each realtime table for `email` (a new member) and changes each once. */
async function writeEveryTable(db: TestServer['db'], email: string, notes: string): Promise<Record<RealtimeTable, string>> {
  await addMember(db, email);
  const leadId = await insertLead(db, email);
  await db.sql`update leads set notes = ${notes}, attempts = 1 where id = ${leadId}`;
  await db.sql`insert into dialer_settings (user_email) values (${email})`;
  await db.sql`update dialer_settings set mock_config = ${JSON.stringify({ answerRate: 0.5 })}::text::jsonb where user_email = ${email}`;
  const [call] = await db.sql<{ id: string }>`
    insert into active_calls (user_email, line_number, to_number, lead_id) values (${email}, 1, '+14155550199', ${leadId}) returning id`;
  await db.sql`update active_calls set status = 'ringing' where id = ${call?.id}`;
  const [log] = await db.sql<{ id: string }>`insert into call_logs (user_email, outcome, started_at) values (${email}, 'busy', now()) returning id`;
  await db.sql`update call_logs set talk_seconds = 5 where id = ${log?.id}`;
  await db.sql`insert into user_stats (user_email) values (${email}) on conflict do nothing`;
  await db.sql`update user_stats set calls_made = calls_made + 1 where user_email = ${email}`;
  await db.sql`update workspace_members set updated_at = now() where user_email = ${email}`;
  await db.sql`update rep_states set is_away = true where user_email = ${email}`;
  const [list] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${email}, 'Capture list') returning id`;
  const [session] = await db.sql<{ id: string }>`insert into dialer_sessions (user_email, list_id, lines) values (${email}, ${list?.id}, 3) returning id`;
  await db.sql`update dialer_sessions set dialed = dialed + 1 where id = ${session?.id}`;
  return { dialer_sessions: session?.id ?? '', leads: leadId, dialer_settings: email, active_calls: call?.id ?? '', call_logs: log?.id ?? '', user_stats: email, workspace_members: email, rep_states: email };
}

describe.each(REALTIME_DATABASE_KINDS)('RT2 change capture on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  it(`RT2 the server captures by ${EXPECTED_CAPTURE[kind]}, and the probe comes back through it`, async () => {
    expect(server.realtime.capture).toBe(EXPECTED_CAPTURE[kind]);
    expect(await server.realtime.checkCapture(5_000)).toBe(true);
    if (kind === 'pglite') return;
    const slots = await server.db.sql<{ temporary: boolean; active: boolean }>`
      select temporary, active from pg_replication_slots where database = current_database()`;
    // One temporary slot per process under logical capture: it goes when the connection does.
    expect(slots).toEqual(kind === 'postgres' ? [{ temporary: true, active: true }] : []);
  });

  it('RT2 every table: a change arrives as to_jsonb gives the committed row, old row whole', async () => {
    const catalog = await loadRealtimeCatalog(server.db);
    const changes: TableChange[] = [];
    const stop = await startChangeFeed({ db: server.db, capture: server.realtime.capture, catalog, logger: silent, handlers: { onChange: (c) => changes.push(c), onProbe: () => {}, onLost: () => {} } });
    try {
      const email = `capture-${kind}-${Date.now()}@example.com`;
      const ids = await writeEveryTable(server.db, email, 'short notes');
      for (const table of REALTIME_TABLES) {
        const key = TABLE_KEYS[table];
        const [row] = await server.db.query<{ json: string }>(`select to_jsonb(t)::text as json from ${table} t where ${key} = $1`, [ids[table]]);
        const committed = JSON.parse(row?.json ?? 'null') as Row;
        // Each row's last write is an UPDATE: that change carries the row as committed.
        const lastUpdate = () => changes.findLast((c) => c.table === table && c.type === 'UPDATE' && c.record?.[key] === ids[table]);
        await waitFor(async () => (isDeepStrictEqual(lastUpdate()?.record, committed) ? true : undefined), 10_000, `${table} update`).catch(() => undefined);
        expect(lastUpdate()?.record).toEqual(committed);
        const update = changes.find((c) => c.table === table && c.type === 'UPDATE');
        if (update) expect(update.oldRecord).toMatchObject({ user_email: email });
      }
    } finally {
      await stop();
    }
  });
});

// What only logical decoding does; the suite above runs every capture.
describe.runIf(REALTIME_DATABASE_KINDS.includes('postgres'))('RT2 logical capture on postgres', () => {
  const kind: DatabaseKind = 'postgres';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  it('RT2 logical capture: a large value an update left alone still arrives whole', async () => {
    const catalog = await loadRealtimeCatalog(server.db);
    const changes: TableChange[] = [];
    const stop = await startChangeFeed({ db: server.db, capture: 'logical', catalog, logger: silent, handlers: { onChange: (c) => changes.push(c), onProbe: () => {}, onLost: () => {} } });
    try {
      // Random text does not compress: stored out of line (TOAST), sent only in the old row.
      const notes = randomBytes(12_000).toString('base64');
      const leadId = await insertLead(server.db, (await addMember(server.db)).user_email);
      await server.db.sql`update leads set notes = ${notes} where id = ${leadId}`;
      await server.db.sql`update leads set attempts = 7 where id = ${leadId}`;
      const last = await waitFor(async () => changes.find((c) => c.record?.['attempts'] === 7), 10_000, 'the update');
      expect(last.record).toMatchObject({ id: leadId, notes, attempts: 7 });
      expect(last.oldRecord).toMatchObject({ id: leadId, notes, attempts: 0 });
    } finally {
      await stop();
    }
  });

  it('RT2 logical capture: no trigger announces a change (no NOTIFY in the write path)', async () => {
    const { user_email: quiet } = await addMember(server.db);
    const heard: string[] = [];
    const unlisten = await server.db.listen(CHANGE_CHANNEL, (payload) => heard.push(payload));
    try {
      // NOTIFYs of one transaction arrive in order: a trigger's would come before the marker.
      await server.db.transaction(async (tx) => {
        await tx.sql`insert into dialer_settings (user_email) values (${quiet}) on conflict (user_email) do update set default_amd = false`;
        await tx.sql`select pg_notify(${CHANGE_CHANNEL}, 'marker')`;
      });
      await waitFor(async () => (heard.includes('marker') ? true : undefined), 10_000, 'the marker');
      expect(heard).toEqual(['marker']);
    } finally {
      await unlisten();
    }
  });

  it('RT2 a lost replication connection: sockets closed with a reason to refetch, a new temporary slot, changes flow again', async () => {
    const before = await server.db.sql<{ slot_name: string; active_pid: number }>`
      select slot_name, active_pid from pg_replication_slots where database = current_database()`;
    expect(before).toHaveLength(1);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${server.tokens.anonKey}&vsn=2.0.0`);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

    const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
    try {
      await admin.sql`select pg_terminate_backend(${before[0]?.active_pid})`;
    } finally {
      await admin.close();
    }
    expect(await closed).toEqual({ code: SERVICE_RESTART_CLOSE_CODE, reason: FEED_RESTART_REASON });
    await waitFor(async () => (server.realtime.captureStatus() === 'listening' && (await server.realtime.checkCapture(2_000)) ? true : undefined), 20_000, 'capture back');
    const after = await server.db.sql<{ slot_name: string }>`select slot_name from pg_replication_slots where database = current_database()`;
    expect(after).toHaveLength(1);
    expect(after[0]?.slot_name).not.toBe(before[0]?.slot_name);

    const user = await server.signUp('after-gap');
    const sub = subscribe(user.client, 'leads', `user_email=eq.${user.email}`);
    await sub.waitForState('SUBSCRIBED');
    await insertLead(server.db, user.email);
    const [change] = await sub.waitForChanges(1);
    expect(change).toMatchObject({ eventType: 'INSERT', new: { user_email: user.email } });
    await user.client.removeAllChannels();
  });
});

/**
 * Realtime latency and throughput against raw LISTEN/NOTIFY, measured in one run on one
 * PostgreSQL database. Prints figures; asserts nothing.
 *
 *   npm run bench                       # N=1000 subscribers, M=1000 changes/s, 20 s
 *   BENCH_SUBSCRIBERS=200 BENCH_RATE=500 BENCH_SECONDS=10 npm run bench
 *
 * The server runs as its own process (as in production); subscribers are plain WebSockets
 * speaking the Phoenix protocol (serializer 2.0.0), each signed in as its own user and
 * subscribed to `active_calls` filtered to that user. The writer advances each user's call
 * one status at a time (insert, ringing, in-progress, completed, next call...), so every
 * change must reach exactly one subscriber. Latency runs from just before the writer sends a
 * statement to the subscriber's callback. The baseline is raw LISTEN/NOTIFY to one listener,
 * timed the same way: each statement writes one row and calls `pg_notify` in the same
 * transaction, so both sides pay for a durable commit (a notify-only transaction writes no WAL
 * and would skip the fsync every real change pays).
 */
import { cpus, totalmem } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import WebSocket from 'ws';
import { createTokenService } from '../src/api/jwt.js';
import { createEmptyDatabase } from '../test/support/databases.js';
import { startServerProcess } from '../test/support/server-process.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SECRET = 'bench-secret-long-enough-for-hs256-signing-0123456789';
const STATUS_STEPS = ['ringing', 'in-progress', 'completed'] as const;
/** The first seconds warm up connections, plans and PL/pgSQL caches: delivered and checked, not timed. */
const WARMUP_CHANGES = RATE * Math.min(3, Math.max(1, Math.floor(SECONDS / 5)));

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN, count: sorted.length };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

/** Runs `send(i)` RATE times a second for SECONDS, in 10 ms ticks; resolves when all have returned. */
async function drive(send: (index: number) => Promise<unknown>): Promise<number> {
  const total = RATE * SECONDS;
  const perTick = RATE / 100;
  const inFlight: Promise<unknown>[] = [];
  const started = now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * RATE) + perTick);
    while (sent < due) inFlight.push(send(sent++));
    await sleep(10);
  }
  await Promise.all(inFlight);
  return (now() - started) / 1000;
}

async function main() {
  const database = await createEmptyDatabase('postgres');
  await database.db.close();
  const url = database.url ?? '';
  const dataDir = await mkdtemp(join(tmpdir(), 'dialer-bench-'));
  const server = await startServerProcess({ DATABASE_URL: url, JWT_SECRET: SECRET, DIALER_DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  const tokens = await createTokenService(SECRET);
  const sql = postgres(url, { max: 20, onnotice: () => {} });

  try {
    // --- subscribers
    const emails = Array.from({ length: SUBSCRIBERS }, (_, i) => `bench-${i}@example.com`);
    const sentAt = new Map<string, number>();
    const arrivedAt = new Map<string, number>();
    const ackedAt = new Map<string, number>();
    const latencies: number[] = [];
    const received = new Set<string>();
    let misdelivered = 0;
    let duplicates = 0;
    const sockets: WebSocket[] = [];
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${tokens.anonKey}&vsn=2.0.0`;

    await Promise.all(
      emails.map(async (email, index) => {
        const { token } = await tokens.signAccessToken({ id: crypto.randomUUID(), email, sessionId: crypto.randomUUID() });
        const ws = new WebSocket(wsUrl);
        sockets.push(ws);
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        const joined = new Promise<void>((resolve, reject) => {
          ws.on('message', (raw) => {
            const arrived = now();
            const [, , , event, payload] = JSON.parse(raw.toString()) as [unknown, unknown, string, string, Record<string, unknown>];
            if (event === 'phx_reply' && (payload['status'] === 'ok' ? resolve() : reject(new Error(JSON.stringify(payload))))) return;
            if (event !== 'postgres_changes') return;
            const record = (payload['data'] as { record: { user_email: string; session_id: string } }).record;
            if (record.user_email !== email) misdelivered++;
            const key = record.session_id;
            if (received.has(key)) duplicates++;
            received.add(key);
            const start = sentAt.get(key);
            if (start !== undefined && Number(key) >= WARMUP_CHANGES) latencies.push(arrived - start);
            arrivedAt.set(key, arrived);
          });
        });
        const config = { postgres_changes: [{ event: '*', schema: 'public', table: 'active_calls', filter: `user_email=eq.${email}` }] };
        ws.send(JSON.stringify(['1', '1', `realtime:bench-${index}`, 'phx_join', { config, access_token: token }]));
        await joined;
      }),
    );
    const heartbeat = setInterval(() => sockets.forEach((ws) => ws.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}]))), 20_000);

    // The same change stream, heard raw: one LISTEN on the database's announcements during the
    // realtime run, so realtime's own cost is compared on the very same commits.
    const rawLatencies: number[] = [];
    const rawListener = postgres(url, { max: 1, onnotice: () => {} });
    await rawListener.listen('dialer_changes', (payload) => {
      const arrived = now();
      const change = JSON.parse(payload) as { table: string; record?: { session_id?: string } };
      const key = change.table === 'active_calls' ? change.record?.session_id : undefined;
      const start = key === undefined ? undefined : sentAt.get(key);
      if (start !== undefined && Number(key) >= WARMUP_CHANGES) rawLatencies.push(arrived - start);
    });

    // --- realtime run
    // Each user's changes run one after another (as one call's statuses do); users run in parallel.
    const calls = new Map<number, { id: string; step: number }>();
    const statementTimes: number[] = [];
    const userQueues = new Map<number, Promise<unknown>>();
    const realtimeSeconds = await drive((seq) => {
      const user = seq % SUBSCRIBERS;
      const email = emails[user] ?? '';
      const key = String(seq);
      const change = async () => {
        const call = calls.get(user);
        sentAt.set(key, now());
        if (!call || call.step >= STATUS_STEPS.length) {
          const [row] = await sql`insert into active_calls (user_email, line_number, to_number, session_id, provider)
            values (${email}, 1, '+14155550100', ${key}, 'twilio') returning id`;
          calls.set(user, { id: String(row?.['id']), step: 0 });
        } else {
          await sql`update active_calls set status = ${STATUS_STEPS[call.step] ?? 'completed'}, session_id = ${key} where id = ${call.id}`;
          call.step++;
        }
        ackedAt.set(key, now());
        if (seq >= WARMUP_CHANGES) statementTimes.push(now() - (sentAt.get(key) ?? now()));
      };
      const next = (userQueues.get(user) ?? Promise.resolve()).then(change);
      userQueues.set(user, next);
      return next;
    });
    await sleep(2_000);
    clearInterval(heartbeat);
    await rawListener.end();
    const total = RATE * SECONDS;
    const lost = [...sentAt.keys()].filter((key) => !received.has(key)).length;

    // --- baseline: raw LISTEN/NOTIFY to a single listener, same rate and timing
    const baseSent = new Map<string, number>();
    const baseArrived = new Map<string, number>();
    const baseAcked = new Map<string, number>();
    const baseLatencies: number[] = [];
    const baseStatementTimes: number[] = [];
    let baseReceived = 0;
    await sql`create table bench_baseline (id integer primary key, n integer not null default 0)`;
    await sql`insert into bench_baseline (id) select generate_series(0, ${SUBSCRIBERS - 1})`;
    const listener = postgres(url, { max: 1, onnotice: () => {} });
    await listener.listen('bench_baseline', (payload) => {
      baseReceived++;
      const start = baseSent.get(payload);
      if (start !== undefined && Number(payload.slice(1)) >= WARMUP_CHANGES) baseLatencies.push(now() - start);
      baseArrived.set(payload, now());
    });
    const baselineSeconds = await drive(async (seq) => {
      const key = `b${seq}`;
      baseSent.set(key, now());
      const started = now();
      await sql`with written as (update bench_baseline set n = n + 1 where id = ${seq % SUBSCRIBERS} returning n)
        select pg_notify('bench_baseline', ${key}) from written`;
      baseAcked.set(key, now());
      if (seq >= WARMUP_CHANGES) baseStatementTimes.push(now() - started);
    });
    await sleep(1_000);
    await listener.end();

    // Delivery after the commit is acknowledged: negative when the change beat the acknowledgement.
    const afterAck = (arrived: Map<string, number>, acked: Map<string, number>, isTimed: (key: string) => boolean) =>
      percentiles([...arrived].filter(([key]) => isTimed(key) && acked.has(key)).map(([key, at]) => at - (acked.get(key) ?? at)));
    const oursAfterAck = afterAck(arrivedAt, ackedAt, (key) => Number(key) >= WARMUP_CHANGES);
    const baseAfterAck = afterAck(baseArrived, baseAcked, (key) => Number(key.slice(1)) >= WARMUP_CHANGES);
    const ours = percentiles(latencies);
    const raw = percentiles(rawLatencies);
    const base = percentiles(baseLatencies);
    const lines = [
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${String((await sql`show server_version`)[0]?.['server_version'])}`,
      `subscribers: ${SUBSCRIBERS}   target rate: ${RATE} changes/s   duration: ${SECONDS} s (latency from change ${WARMUP_CHANGES} on, after warm-up)`,
      '',
      `realtime (commit -> client callback): p50 ${fmt(ours.p50)}  p95 ${fmt(ours.p95)}  p99 ${fmt(ours.p99)}  max ${fmt(ours.max)}`,
      `  delivered ${received.size}/${total} changes, ${(received.size / realtimeSeconds).toFixed(0)} changes/s; lost ${lost}, misdelivered ${misdelivered}, duplicated ${duplicates}`,
      `baseline LISTEN/NOTIFY (1 listener):  p50 ${fmt(base.p50)}  p95 ${fmt(base.p95)}  p99 ${fmt(base.p99)}  max ${fmt(base.max)}`,
      `  delivered ${baseReceived}/${total}, ${(baseReceived / baselineSeconds).toFixed(0)} notifications/s`,
      `writer statement time (send -> commit acknowledged): realtime run p50 ${fmt(percentiles(statementTimes).p50)} p99 ${fmt(percentiles(statementTimes).p99)}; baseline run p50 ${fmt(percentiles(baseStatementTimes).p50)} p99 ${fmt(percentiles(baseStatementTimes).p99)}`,
      `commit acknowledged -> callback (the delivery path alone): realtime p50 ${fmt(oursAfterAck.p50)} p99 ${fmt(oursAfterAck.p99)}; baseline p50 ${fmt(baseAfterAck.p50)} p99 ${fmt(baseAfterAck.p99)}`,
      '',
      `raw LISTEN on the same commits (1 listener, same run): p50 ${fmt(raw.p50)}  p95 ${fmt(raw.p95)}  p99 ${fmt(raw.p99)}  max ${fmt(raw.max)}  (${raw.count} timed)`,
      '',
      `p99 ratio realtime / raw LISTEN on the same commits: ${(ours.p99 / raw.p99).toFixed(2)} (target <= 1.5)`,
      `p99 ratio realtime / separate one-row pg_notify baseline: ${(ours.p99 / base.p99).toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    sockets.forEach((ws) => ws.close());
  } finally {
    await sql.end();
    await server.stop('SIGTERM');
    await database.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();

/**
 * Realtime end to end (writer sends → subscriber's callback) on both change captures, against
 * baselines measured in the same run on the same PostgreSQL server. Prints figures; asserts nothing.
 *
 *   npm run bench:realtime
 *   BENCH_RATES=500,1000 BENCH_SECONDS=10 BENCH_CAPTURES=logical npm run bench:realtime
 *
 * Baselines, on a database of their own with no server attached: a bare one-row UPDATE (no
 * trigger, no NOTIFY; its latency ends at the commit's acknowledgement), the same UPDATE with
 * `pg_notify` in its transaction heard by one LISTEN, each at every rate, and the bare UPDATE's
 * maximum: BENCH_WRITERS connections updating flat out.
 *
 * Then, per capture, the server as its own process and BENCH_SUBSCRIBERS sockets, each signed in
 * as its own user and subscribed to its own `active_calls` rows, so every change must reach
 * exactly one subscriber. Two workloads (bench/support/call-writer.ts): `update`, a one-row
 * UPDATE of the user's live call, at every rate (the goal is checked on it); `cycle`, the user's
 * call advanced one status at a time (insert, ringing, in-progress, completed, next call) with
 * all the database does for a real status change, at the first rate; then each flat out on
 * BENCH_WRITERS connections for the sustained maximum. Beside the subscribers a raw consumer
 * hears the very same commits: a LISTEN on the triggers' channel under NOTIFY capture, a
 * logical replication slot of its own on the same publication (pgoutput) under logical capture.
 */
import postgres from 'postgres';
import { createTokenService } from '../src/api/jwt.js';
import { startLogicalReplication } from '../src/db/logical-replication.js';
import { CAPTURE_PUBLICATION, CHANGE_CHANNEL } from '../src/realtime/change-feed.js';
import { describeLatency, describeMachine, envNumber, flatOut, fmt, now, pace, percentiles, sleep, startCpuAccount, summarizeCpuProfile, waitUntil, type Percentiles } from './support/measure.js';
import { createCallWriter, type Workload } from './support/call-writer.js';
import { benchEmail, closeSockets, connectUserSubscribers, keepAlive } from './support/phoenix.js';
import { BENCH_DATABASE_URL, BENCH_JWT_SECRET, createBenchDatabase, migrateBenchDatabase, seedBenchUsers, startBenchServer, type Capture } from './support/stack.js';

const SUBSCRIBERS = envNumber('BENCH_SUBSCRIBERS', 1000);
const RATES = (process.env.BENCH_RATES ?? '1000,2000').split(',').map(Number);
const SECONDS = envNumber('BENCH_SECONDS', 15);
const MAX_SECONDS = envNumber('BENCH_MAX_SECONDS', 6);
const WRITERS = envNumber('BENCH_WRITERS', 32);
const CAPTURES = (process.env.BENCH_CAPTURES ?? 'logical,notify').split(',') as Capture[];
/** The goal is checked on `update` at every rate; a whole status change (`cycle`) is shown at the first rate beside it. */
const WORKLOADS: ReadonlyArray<{ workload: Workload; rates: readonly number[] }> = [
  { workload: 'update', rates: RATES },
  { workload: 'cycle', rates: RATES.slice(0, 1) },
];
const DESCRIBE_WORKLOAD: Record<Workload, string> = {
  update: 'one-row UPDATE of a live call',
  cycle: 'call status cycle (insert, ringing, in-progress, completed)',
};
/** The first seconds of each phase (connections, plans, caches warming) are checked but not timed. */
const WARMUP_SECONDS = 2;
/** How long after a phase its last changes are waited for before the missing ones count as lost. */
const DRAIN_MS = 15_000;

const line = (text = '') => process.stdout.write(`${text}\n`);

interface BaselineResult {
  readonly bareMax: number;
  readonly bare: Map<number, Percentiles>;
  readonly notify: Map<number, Percentiles>;
}

/** The baselines, on a database of their own: what one row's UPDATE costs with and without NOTIFY. */
async function measureBaselines(): Promise<BaselineResult> {
  const database = await createBenchDatabase();
  const sql = postgres(database.url, { max: WRITERS, onnotice: () => {} });
  const listener = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await sql`create table bench_row (id integer primary key, n integer not null default 0)`;
    await sql`insert into bench_row (id) select generate_series(0, ${Math.max(SUBSCRIBERS, WRITERS) - 1})`;
    let committed = 0;
    const startedMax = now();
    await flatOut(WRITERS, MAX_SECONDS, async (worker) => {
      await sql`update bench_row set n = n + 1 where id = ${worker}`;
      committed++;
    });
    const bareMax = committed / ((now() - startedMax) / 1000);
    line(`bare one-row UPDATE flat out on ${WRITERS} connections for ${MAX_SECONDS} s: ${bareMax.toFixed(0)} commits/s`);

    const bare = new Map<number, Percentiles>();
    const notify = new Map<number, Percentiles>();
    const sentAt = new Map<string, number>();
    const heard: number[] = [];
    await listener.listen('bench_row', (key) => {
      const sent = sentAt.get(key);
      if (sent !== undefined) heard.push(now() - sent);
    });
    for (const rate of RATES) {
      const samples: number[] = [];
      const seconds = await pace(rate, SECONDS, async (seq) => {
        const sent = now();
        await sql`update bench_row set n = n + 1 where id = ${seq % SUBSCRIBERS}`;
        if (seq >= rate * WARMUP_SECONDS) samples.push(now() - sent);
      });
      bare.set(rate, percentiles(samples));
      line(`bare one-row UPDATE at ${rate}/s (send -> commit acknowledged): ${describeLatency(percentiles(samples))}  ${((rate * SECONDS) / seconds).toFixed(0)}/s sent`);

      heard.length = 0;
      sentAt.clear();
      await pace(rate, SECONDS, async (seq) => {
        const key = `${rate}:${seq}`;
        if (seq >= rate * WARMUP_SECONDS) sentAt.set(key, now());
        await sql`with written as (update bench_row set n = n + 1 where id = ${seq % SUBSCRIBERS} returning n)
          select pg_notify('bench_row', ${key}) from written`;
      });
      await sleep(1_000);
      notify.set(rate, percentiles(heard));
      line(`one-row UPDATE + pg_notify at ${rate}/s (send -> LISTEN callback): ${describeLatency(percentiles(heard))}  heard ${heard.length}/${sentAt.size} timed`);
    }
    return { bareMax, bare, notify };
  } finally {
    await listener.end();
    await sql.end();
    await database.dispose();
  }
}

/** What one phase of a capture run saw, by change key. */
interface Phase {
  readonly name: string;
  readonly timed: Set<string>;
  readonly sentAt: Map<string, number>;
  readonly ackedAt: Map<string, number>;
  readonly arrivedAt: Map<string, number>;
  readonly latencies: number[];
  readonly raw: number[];
  readonly statements: number[];
  misdelivered: number;
  duplicated: number;
}

const newPhase = (name: string): Phase => ({
  name,
  timed: new Set(),
  sentAt: new Map(),
  ackedAt: new Map(),
  arrivedAt: new Map(),
  latencies: [],
  raw: [],
  statements: [],
  misdelivered: 0,
  duplicated: 0,
});

interface RateResult {
  readonly e2e: Percentiles;
  readonly raw: Percentiles;
  readonly delivered: number;
  readonly lost: number;
  readonly misdelivered: number;
  readonly duplicated: number;
}

interface CaptureResult {
  readonly capture: Capture;
  /** By workload, then rate. */
  readonly paced: Map<Workload, Map<number, RateResult>>;
  /** Changes a second delivered flat out, by workload. */
  readonly sustained: Map<Workload, number>;
}

/** Prints a phase's figures and returns the ones the goals are checked on. */
function reportPhase(phase: Phase, capture: Capture, seconds: number, waited: number): RateResult {
  const lost = [...phase.sentAt.keys()].filter((key) => !phase.arrivedAt.has(key)).length;
  // Negative when a change reached its subscriber before the writer heard its commit acknowledged.
  const afterAck = [...phase.arrivedAt].flatMap(([key, at]) => {
    const acked = phase.ackedAt.get(key);
    return acked !== undefined && phase.timed.has(key) ? [at - acked] : [];
  });
  const e2e = percentiles(phase.latencies);
  const raw = percentiles(phase.raw);
  const delivered = phase.arrivedAt.size / seconds;
  line(`  realtime (send -> subscriber callback): ${describeLatency(e2e)}`);
  line(`  raw ${capture === 'notify' ? 'LISTEN' : 'logical slot'} on the same commits: ${describeLatency(raw)}`);
  line(`  writer statement (send -> commit acknowledged): ${describeLatency(percentiles(phase.statements))}`);
  line(`  commit acknowledged -> callback: ${describeLatency(percentiles(afterAck))}`);
  line(
    `  delivered ${phase.arrivedAt.size}/${phase.sentAt.size} changes (${delivered.toFixed(0)}/s); lost ${lost}, misdelivered ${phase.misdelivered}, ` +
      `duplicated ${phase.duplicated}; waited for the user's previous change ${waited}`,
  );
  return { e2e, raw, delivered, lost, misdelivered: phase.misdelivered, duplicated: phase.duplicated };
}

/** Hears the same commits as the subscribers with nothing of the realtime layer in between; returns its stop. */
async function hearRawCommits(capture: Capture, url: string, onKey: (key: unknown) => void): Promise<() => Promise<unknown>> {
  if (capture === 'notify') {
    const listener = postgres(url, { max: 1, onnotice: () => {} });
    await listener.listen(CHANGE_CHANNEL, (payload) => {
      const change = JSON.parse(payload) as { table: string; record?: { session_id?: string } };
      if (change.table === 'active_calls') onKey(change.record?.session_id);
    });
    return () => listener.end();
  }
  const slot = await startLogicalReplication(url, CAPTURE_PUBLICATION, {
    onTransaction: ({ changes }) => {
      for (const change of changes) if (change.table === 'active_calls') onKey(change.record?.['session_id']);
    },
    onLost: (error) => process.stderr.write(`raw replication lost: ${String(error)}\n`),
  });
  return () => slot.stop();
}

/** One server on one capture: every rate, then flat out. */
async function measureCapture(capture: Capture): Promise<CaptureResult> {
  const database = await createBenchDatabase(capture);
  await migrateBenchDatabase(database.url);
  const users = await seedBenchUsers(database.url, Array.from({ length: SUBSCRIBERS }, (_, index) => benchEmail(index)));
  const server = await startBenchServer(database.url);
  const tokens = await createTokenService(BENCH_JWT_SECRET);
  const sql = postgres(database.url, { max: WRITERS, onnotice: () => {} });
  const phases = new Map<string, Phase>();
  const phaseOf = (key: unknown) => (typeof key === 'string' ? phases.get(key.slice(0, key.indexOf(':'))) : undefined);
  let stopRaw: () => Promise<unknown> = async () => {};
  try {
    line('');
    line(`== ${capture} capture: ${server.captureLine}`);
    const sockets = await connectUserSubscribers({
      serverUrl: server.url,
      tokens,
      users,
      onChange: (user, data, arrivedAt) => {
        const key = String(data.record?.['session_id']);
        const phase = phaseOf(key);
        if (!phase) return;
        if (data.record?.['user_email'] !== benchEmail(user)) phase.misdelivered++;
        if (phase.arrivedAt.has(key)) phase.duplicated++;
        phase.arrivedAt.set(key, arrivedAt);
        const sent = phase.sentAt.get(key);
        if (sent !== undefined && phase.timed.has(key)) phase.latencies.push(arrivedAt - sent);
      },
    });
    const stopHeartbeats = keepAlive(() => sockets);
    line(`${SUBSCRIBERS} subscribers joined`);
    stopRaw = await hearRawCommits(capture, database.url, (key) => {
      const phase = phaseOf(key);
      const sent = phase && typeof key === 'string' && phase.timed.has(key) ? phase.sentAt.get(key) : undefined;
      if (phase && sent !== undefined) phase.raw.push(now() - sent);
    });

    const writer = createCallWriter(sql);
    await writer.placeLiveCalls(SUBSCRIBERS);
    const onSend = (phase: Phase) => (key: string, at: number) => phase.sentAt.set(key, at);
    const onAck = (phase: Phase) => (key: string, at: number) => {
      phase.ackedAt.set(key, at);
      const sent = phase.sentAt.get(key);
      if (sent !== undefined && phase.timed.has(key)) phase.statements.push(at - sent);
    };
    // Late changes are waited for (a lagging feed is slow, not lossy); what never comes is lost.
    const drain = async (phase: Phase) => {
      await waitUntil(() => phase.arrivedAt.size >= phase.sentAt.size, DRAIN_MS);
      await sleep(200);
    };
    const startPhase = (name: string) => {
      const phase = newPhase(name);
      phases.set(name, phase);
      return phase;
    };

    const paced = new Map<Workload, Map<number, RateResult>>();
    const sustained = new Map<Workload, number>();
    for (const { workload, rates } of WORKLOADS) {
      const byRate = new Map<number, RateResult>();
      paced.set(workload, byRate);
      for (const rate of rates) {
        const phase = startPhase(`${workload}${rate}`);
        const cpu = await startCpuAccount(server.pid);
        line(`-- ${DESCRIBE_WORKLOAD[workload]}, ${rate} changes/s for ${SECONDS} s (timed after ${WARMUP_SECONDS} s)`);
        const { seconds, waited } = await writer.paceChanges({
          workload,
          rate,
          seconds: SECONDS,
          users: SUBSCRIBERS,
          keyOf: (seq) => {
            const key = `${phase.name}:${seq}`;
            if (seq >= rate * WARMUP_SECONDS) phase.timed.add(key);
            return key;
          },
          onSend: onSend(phase),
          onAck: onAck(phase),
        });
        await drain(phase);
        line(`  ${await cpu.describe()}`);
        byRate.set(rate, reportPhase(phase, capture, seconds, waited));
      }

      // Flat out: each writer advances its own users back to back.
      const phase = startPhase(`${workload}max`);
      const cursors = new Array<number>(WRITERS).fill(0);
      let seq = 0;
      const cpu = await startCpuAccount(server.pid);
      const started = now();
      line(`-- ${DESCRIBE_WORKLOAD[workload]}, flat out on ${WRITERS} connections for ${MAX_SECONDS} s`);
      await flatOut(WRITERS, MAX_SECONDS, async (worker) => {
        const owned = Math.ceil((SUBSCRIBERS - worker) / WRITERS);
        const user = worker + WRITERS * ((cursors[worker] = (cursors[worker] ?? 0) + 1) % owned);
        const key = `${phase.name}:${seq++}`;
        phase.timed.add(key);
        onAck(phase)(key, await writer.advance(workload, user, key, (at) => onSend(phase)(key, at)));
      });
      const ended = now();
      await drain(phase);
      line(`  ${await cpu.describe()}`);
      reportPhase(phase, capture, (ended - started) / 1000, 0);
      // Sustained: what reached subscribers inside the window, after its first second.
      const windowStart = started + 1_000;
      const delivered = [...phase.arrivedAt.values()].filter((at) => at >= windowStart && at <= ended).length / ((ended - windowStart) / 1000);
      sustained.set(workload, delivered);
      line(`  sustained: ${(phase.sentAt.size / ((ended - started) / 1000)).toFixed(0)} changes/s committed, ${delivered.toFixed(0)}/s delivered inside the window`);
    }

    stopHeartbeats();
    await closeSockets(sockets);
    return { capture, paced, sustained };
  } finally {
    await stopRaw();
    await sql.end();
    await server.stop();
    await database.dispose();
    if (process.env.BENCH_PROFILE) line(await summarizeCpuProfile(process.env.BENCH_PROFILE, server.pid));
  }
}

async function main() {
  line(await describeMachine(BENCH_DATABASE_URL));
  line(`subscribers: ${SUBSCRIBERS}   rates: ${RATES.join(', ')} changes/s   ${SECONDS} s each (timed after ${WARMUP_SECONDS} s)   flat out: ${WRITERS} connections, ${MAX_SECONDS} s`);
  line('');
  line('== baselines (a database of their own, no server attached)');
  const baselines = await measureBaselines();
  const results: CaptureResult[] = [];
  for (const capture of CAPTURES) results.push(await measureCapture(capture));

  line('');
  line('== against the goals: p99 <= 1.5 x bare UPDATE p99 (at 1,000/s); sustained >= bare UPDATE max / 2');
  for (const { capture, paced, sustained } of results) {
    for (const [workload, byRate] of paced) {
      for (const [rate, { e2e, raw, delivered, lost, misdelivered, duplicated }] of byRate) {
        const bare = baselines.bare.get(rate)?.p99 ?? Number.NaN;
        const notify = baselines.notify.get(rate)?.p99 ?? Number.NaN;
        line(
          `${capture.padEnd(7)} ${workload.padEnd(6)} ${String(rate).padStart(5)}/s: p99 ${fmt(e2e.p99)} = ${(e2e.p99 / bare).toFixed(2)} x bare UPDATE (${fmt(bare)}), ` +
            `${(e2e.p99 / notify).toFixed(2)} x UPDATE+pg_notify (${fmt(notify)}), ${(e2e.p99 / raw.p99).toFixed(2)} x raw on the same commits (${fmt(raw.p99)}); ` +
            `${delivered.toFixed(0)}/s, lost ${lost}, misdelivered ${misdelivered}, duplicated ${duplicated}`,
        );
      }
      const rate = sustained.get(workload) ?? Number.NaN;
      line(`${capture.padEnd(7)} ${workload.padEnd(6)} sustained ${rate.toFixed(0)} changes/s = ${(rate / baselines.bareMax).toFixed(2)} x bare UPDATE max (${baselines.bareMax.toFixed(0)}/s; goal >= 0.50)`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

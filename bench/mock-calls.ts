/**
 * 10,000 concurrent demo-mode calls on one server: its memory, how close to plan each
 * simulated step lands, and that every call ends with exactly one history row. Prints figures;
 * asserts nothing.
 *
 *   npm run bench:calls
 *   BENCH_CALLS=3000 BENCH_DIAL_SECONDS=15 npm run bench:calls
 *
 * The server runs as its own process in demo mode on a fresh PostgreSQL database. A rep has at
 * most three live calls (one per line), so BENCH_CALLS calls take BENCH_CALLS / 3 reps; each
 * gets an access token minted with the server's JWT secret (signing up thousands of users would
 * measure password hashing). Every call is placed through `mockDialerCall`, BENCH_CONNECTIONS
 * at a time, with a timeline that rings only after BENCH_DIAL_SECONDS, so all calls are live at
 * once before the first step; then the steps play out (ringing, answer, end, with the default
 * outcome mix).
 *
 * When a step landed is its commit time, as logical decoding reports it: one service-role
 * realtime socket gets every `active_calls` change with its `commit_timestamp` (the server must
 * capture by logical decoding, as it does with `wal_level = logical`). The plan is recomputed
 * from the inserted row (seed, config, start, AMD) with the server's own pure
 * `planMockTimeline`, as the server does. RSS is the server process's, from /proc.
 */
import postgres from 'postgres';
import { createTokenService } from '../src/api/jwt.js';
import { isTerminal, type CallStatus } from '../src/core/call-status.js';
import { mockConfigSchema, mockStepStatus, planMockTimeline, type MockConfigInput, type MockStep } from '../src/core/mock-timeline.js';
import { createHttpClient } from './support/http.js';
import { describeLatency, describeMachine, envNumber, mib, now, percentiles, readRss, sampleRss, sleep, startCpuAccount, summarizeCpuProfile } from './support/measure.js';
import { benchEmail, openPhoenixSocket } from './support/phoenix.js';
import { BENCH_DATABASE_URL, BENCH_JWT_SECRET, createBenchDatabase, migrateBenchDatabase, seedBenchUsers, startBenchServer } from './support/stack.js';

const CALLS = envNumber('BENCH_CALLS', 10_000);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 32);
const DIAL_SECONDS = envNumber('BENCH_DIAL_SECONDS', 60);
const MOCK_CONFIG: MockConfigInput = { dialSeconds: DIAL_SECONDS, ringSeconds: [2, 6], talkSeconds: [3, 12], amdSeconds: 3 };
/** The longest a call can last after it is placed, with MOCK_CONFIG. */
const LONGEST_CALL_MS = (DIAL_SECONDS + 6 + 12) * 1000;

const line = (text = '') => process.stdout.write(`${text}\n`);

/** Each call's plan, and each step's lateness (commit time minus planned time) as the changes arrive. */
function createStepClock() {
  const plans = new Map<string, { steps: readonly MockStep[]; played: Set<number> }>();
  const lateness = new Map<MockStep['kind'], number[]>([
    ['ringing', []],
    ['answered', []],
    ['ended', []],
  ]);
  let live = 0;
  let peakLive = 0;
  let ended = 0;
  let unplanned = 0;
  return {
    onInsert(row: Readonly<Record<string, unknown>>) {
      const config = mockConfigSchema.parse(row['mock_config'] ?? {});
      const plan = planMockTimeline(Number(row['mock_seed']), config, Date.parse(String(row['started_at'])), row['amd_enabled'] === true);
      plans.set(String(row['id']), { steps: plan.steps, played: new Set() });
      peakLive = Math.max(peakLive, ++live);
    },
    onStatus(id: string, status: CallStatus, committedAt: number) {
      const plan = plans.get(id);
      const index = plan?.steps.findIndex((step, i) => !plan.played.has(i) && mockStepStatus(step) === status) ?? -1;
      const step = plan?.steps[index];
      if (!plan || !step) return void unplanned++;
      plan.played.add(index);
      lateness.get(step.kind)?.push(committedAt - step.at);
      if (isTerminal(status)) {
        live--;
        ended++;
      }
    },
    plannedSteps: () => [...plans.values()].reduce((sum, plan) => sum + plan.steps.length, 0),
    lateness,
    live: () => live,
    peakLive: () => peakLive,
    ended: () => ended,
    unplanned: () => unplanned,
  };
}

async function main() {
  line(await describeMachine(BENCH_DATABASE_URL));
  const users = Math.ceil(CALLS / 3);
  line(`${CALLS} demo-mode calls by ${users} reps (3 lines each), placed ${CONNECTIONS} at a time; ringing ${DIAL_SECONDS} s after placing, then ring 2-6 s, talk 3-12 s, default outcome mix`);
  const database = await createBenchDatabase();
  await migrateBenchDatabase(database.url);
  const reps = await seedBenchUsers(database.url, Array.from({ length: users }, (_, index) => benchEmail(index)));
  const server = await startBenchServer(database.url);
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const tokens = await createTokenService(BENCH_JWT_SECRET);
  const client = createHttpClient(server.url, CONNECTIONS);
  const clock = createStepClock();
  // Every change of active_calls, with its commit time, through the server's own realtime (one
  // service-role socket): the change path the app uses, and no second decoding of the WAL.
  const watcher = await openPhoenixSocket(server.url, tokens.anonKey, (change) => {
    const { record, old_record: old, type, commit_timestamp: committed } = change;
    if (change.table !== 'active_calls' || !record) return;
    if (type === 'INSERT') clock.onInsert(record);
    if (type === 'UPDATE' && record['status'] !== old?.['status']) clock.onStatus(String(record['id']), record['status'] as CallStatus, Date.parse(String(committed)));
  });
  await watcher.join('calls', { config: { postgres_changes: [{ event: '*', schema: 'public', table: 'active_calls' }] }, access_token: tokens.serviceRoleKey });
  const rss = sampleRss(server.pid);
  // The server's RSS when the most calls were live (sampled while live calls are at their peak).
  const atPeak = { live: 0, rss: 0 };
  const watchPeak = setInterval(() => {
    if (clock.live() < atPeak.live) return;
    atPeak.live = clock.live();
    atPeak.rss = Math.max(atPeak.rss, rss.current());
  }, 100);
  try {
    const accessTokens = await Promise.all(reps.map(async ({ id, email }) => (await tokens.signAccessToken({ id, email, sessionId: crypto.randomUUID() })).token));
    const idleRss = await readRss(server.pid);

    // Placing: line 1 of every rep, then line 2, then line 3.
    const placing = await startCpuAccount(server.pid);
    const placeLatencies: number[] = [];
    const refusals = new Map<string, number>();
    let next = 0;
    const started = now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < CALLS) {
          const index = next++;
          const user = index % users;
          // A number of its own per call: the gate caps attempts per number (3 a day by default).
          const body = JSON.stringify({ userEmail: benchEmail(user), to: `+1415${String(5_550_000 + (index % 10_000)).padStart(7, '0')}`, lineNumber: Math.floor(index / users) + 1, mockConfig: MOCK_CONFIG, enableAMD: true });
          const sent = now();
          const answer = await client.post('/functions/v1/mockDialerCall', body, { 'content-type': 'application/json', apikey: tokens.anonKey, authorization: `Bearer ${accessTokens[user] ?? ''}` });
          placeLatencies.push(now() - sent);
          if (answer.status !== 200) refusals.set(`${answer.status} ${answer.body.slice(0, 80)}`, (refusals.get(`${answer.status} ${answer.body.slice(0, 80)}`) ?? 0) + 1);
        }
      }),
    );
    const placedSeconds = (now() - started) / 1000;
    line('');
    line(`placed ${CALLS} calls in ${placedSeconds.toFixed(1)} s (${(CALLS / placedSeconds).toFixed(0)}/s); response ${describeLatency(percentiles(placeLatencies), 1)}`);
    line(`  refused: ${refusals.size === 0 ? 'none' : [...refusals].map(([what, n]) => `${n} × ${what}`).join('; ')}`);
    line(`  ${await placing.describe()}`);
    if (placedSeconds > DIAL_SECONDS) line(`  placing took longer than the ${DIAL_SECONDS} s before the first ring: raise BENCH_DIAL_SECONDS to have every call live at once`);

    // Playing: wait for every call to end (or for the longest call and 30 s more).
    const playing = await startCpuAccount(server.pid);
    const deadline = started + placedSeconds * 1000 + LONGEST_CALL_MS + 30_000;
    while (clock.ended() < CALLS && now() < deadline) await sleep(250);
    line(`  ${await playing.describe()} (while the steps played)`);
    await sleep(1_000);
    const memory = rss.stop();

    const [outcome] = await sql<{ calls: number; terminal: number; one_history_row: number }[]>`
      select count(*)::int as calls,
        (count(*) filter (where status not in ('dialing', 'ringing', 'in-progress')))::int as terminal,
        (count(*) filter (where (select count(*) from call_logs h where h.active_call_id = a.id) = 1))::int as one_history_row
      from active_calls a`;
    const statuses = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from active_calls group by status order by n desc`;
    const all = [...clock.lateness.values()].flat();
    line('');
    line('== against the goals (RSS < 500 MB, step lateness p99 <= 100 ms, every call terminal with one history row)');
    line(`peak live calls ${clock.peakLive()} (goal ${CALLS} at once)`);
    line(`server RSS: idle ${mib(idleRss)}, with ${atPeak.live} calls live ${mib(atPeak.rss)}, peak ${mib(memory.peak)}, at the end ${mib(memory.last)} (goal < 500 MB)`);
    line(`step lateness (commit time - planned time), all ${clock.plannedSteps()} planned steps: ${describeLatency(percentiles(all), 1)} (goal p99 <= 100 ms)`);
    for (const [kind, samples] of clock.lateness) line(`  ${kind.padEnd(8)} ${describeLatency(percentiles(samples), 1)}`);
    line(`  status changes not in any plan: ${clock.unplanned()}`);
    line(`calls ${outcome?.calls}: terminal ${outcome?.terminal}, with exactly one history row ${outcome?.one_history_row}; ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}`);
  } finally {
    clearInterval(watchPeak);
    rss.stop();
    client.close();
    watcher.ws.close();
    await sql.end();
    await server.stop();
    await database.dispose();
    if (process.env.BENCH_PROFILE) line(await summarizeCpuProfile(process.env.BENCH_PROFILE, server.pid));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

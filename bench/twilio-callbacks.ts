/**
 * Signed Twilio status callbacks through the server's HTTP endpoint on PostgreSQL: how many a
 * second it takes, how fast it answers, and that none is lost and each call ends with exactly
 * one history row. Prints figures; asserts nothing.
 *
 *   npm run bench:twilio
 *   BENCH_RATE=1000 BENCH_SECONDS=10 BENCH_CONCURRENCY=32 npm run bench:twilio
 *
 * The server runs as its own process in production Twilio mode (an account, an auth token, and
 * TWILIO_API_BASE_URL at a local port where nothing listens: the benchmark plays Twilio). Calls
 * are `active_calls` rows written as the server writes them when Twilio accepts a call (a
 * CallSid, status dialing, provider twilio), three lines per rep. Each call then gets what
 * Twilio sends for statusCallbackEvent initiated, ringing, answered and completed (SequenceNumber
 * 0-3), signed with the auth token as Twilio signs them; BENCH_REPEATS of them are sent twice,
 * as Twilio retries. BENCH_LIVE calls are in progress at once, so one call's callbacks are
 * spread out and come in order, as Twilio's do.
 *
 * Phases: flat out with BENCH_CONCURRENCY requests in flight (the sustained maximum), then
 * paced at BENCH_RATE a second (open loop: response time counts from the moment a callback was
 * due, so a server that falls behind shows it) when the maximum reaches it, else at 80 % of the
 * maximum instead (offered more than it can take, the server only builds a queue).
 */
import postgres from 'postgres';
import twilio from 'twilio';
import { twilioWebhookUrl } from '../src/webhooks/twilio-webhook-urls.js';
import { statusCallback } from '../test/twilio-sim/callbacks.js';
import { createHttpClient, type HttpClient } from './support/http.js';
import { describeLatency, describeMachine, envNumber, now, pace, percentiles, sleep, startCpuAccount, summarizeCpuProfile } from './support/measure.js';
import { BENCH_DATABASE_URL, createBenchDatabase, seedBenchUsers, startBenchServer, type BenchServer } from './support/stack.js';

const RATE = envNumber('BENCH_RATE', 2000);
const SECONDS = envNumber('BENCH_SECONDS', 10);
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 64);
const REPEAT_SHARE = envNumber('BENCH_REPEATS', 0.1);
const LIVE = envNumber('BENCH_LIVE', 1000);
const ACCOUNT_SID = `AC${'be'.repeat(16)}`;
const AUTH_TOKEN = 'bench-twilio-auth-token-0123456789';
const FROM = '+15005550006';
const TO = '+14155550100';
/** A callback's share of a call: initiated, ringing, answered (in-progress), completed. */
const STATUSES = ['initiated', 'ringing', 'in-progress', 'completed'] as const;

const line = (text = '') => process.stdout.write(`${text}\n`);

interface SignedCallback {
  readonly callId: string;
  readonly path: string;
  readonly body: string;
  readonly signature: string;
  readonly isRepeat: boolean;
  /** Index of the first callback after the group of calls this one belongs to. */
  readonly groupEnd: number;
}

/** mulberry32: which callbacks are repeated is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `count` live Twilio calls for phase `tag` (reps `twilio-<tag>-<n>`, three lines each)
 * and returns every callback they will get, signed, in the order they are sent: calls go in
 * groups of LIVE; a group gets everyone's initiated, then everyone's ringing, and so on, and a
 * repeat follows its original one round later.
 */
async function prepareCallbacks(sql: postgres.Sql, server: BenchServer, tag: string, count: number): Promise<SignedCallback[]> {
  const reps = Array.from({ length: Math.ceil(count / 3) }, (_, rep) => `twilio-${tag}-${rep}@example.com`);
  await seedBenchUsers(server.databaseUrl, reps);
  const calls = await sql<{ id: string; call_sid: string }[]>`
    insert into active_calls (user_email, call_sid, line_number, to_number, provider, status_source)
    select 'twilio-' || ${tag} || '-' || ((i - 1) / 3) || '@example.com', 'CA' || md5(${tag} || i), ((i - 1) % 3) + 1, ${TO}, 'twilio', 'system'
    from generate_series(1, ${count}::int) i
    returning id, call_sid`;
  const random = seededRandom(count);
  const startedAt = Date.now();
  const sign = (callId: string, callSid: string, step: number): Omit<SignedCallback, 'isRepeat' | 'groupEnd'> => {
    const url = twilioWebhookUrl(server.url, 'status', callId);
    const status = STATUSES[step] ?? 'completed';
    const { params } = statusCallback(url, { accountSid: ACCOUNT_SID, callSid, from: FROM, to: TO }, {
      status,
      sequenceNumber: step,
      atMs: startedAt + step * 5_000,
      ...(status === 'completed' ? { durationSeconds: 42 } : {}),
    });
    return { callId, path: url.slice(server.url.length), body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params) };
  };
  const stream: SignedCallback[] = [];
  for (let first = 0; first < calls.length; first += LIVE) {
    const group = calls.slice(first, first + LIVE);
    const rounds = STATUSES.map((_, step) => group.map((call) => sign(call.id, call.call_sid, step)));
    const start = stream.length;
    const items: Array<Omit<SignedCallback, 'groupEnd'>> = [];
    let repeats: Array<Omit<SignedCallback, 'isRepeat' | 'groupEnd'>> = [];
    for (const round of [...rounds, []]) {
      for (const callback of round) items.push({ ...callback, isRepeat: false });
      for (const callback of repeats) items.push({ ...callback, isRepeat: true });
      repeats = round.filter(() => random() < REPEAT_SHARE);
    }
    stream.push(...items.map((item) => ({ ...item, groupEnd: start + items.length })));
  }
  return stream;
}

interface PhaseResult {
  readonly rate: number;
  readonly latencies: number[];
  readonly failures: number;
  /** How many callbacks of the stream were sent (flat out stops after the group under way at the deadline). */
  readonly sent: number;
}

const send = async (client: HttpClient, callback: SignedCallback) =>
  client.post(callback.path, callback.body, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': callback.signature });

/** Flat out: CONCURRENCY requests in flight; the group under way at the deadline is finished, untimed. */
async function runFlatOut(client: HttpClient, stream: readonly SignedCallback[], seconds: number): Promise<PhaseResult> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  let limit = stream.length;
  const started = now();
  const deadline = started + seconds * 1000;
  let answeredInTime = 0;
  let lastAnswerAt = started;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < limit) {
        const callback = stream[next++];
        if (!callback) break;
        if (now() >= deadline && limit === stream.length) limit = callback.groupEnd;
        const sent = now();
        const answer = await send(client, callback);
        if (answer.status !== 200) failures++;
        if (sent < deadline) {
          latencies.push(now() - sent);
          if (now() <= deadline) {
            answeredInTime++;
            lastAnswerAt = now();
          }
        }
      }
    }),
  );
  // A stream that ran out before the deadline is counted over the time it lasted.
  const elapsed = (next >= stream.length ? lastAnswerAt - started : seconds * 1000) / 1000;
  return { rate: answeredInTime / elapsed, latencies, failures, sent: Math.min(next, limit) };
}

/** Open loop at `rate`: response time from the moment each callback was due. */
async function runPaced(client: HttpClient, stream: readonly SignedCallback[], rate: number): Promise<PhaseResult> {
  const latencies: number[] = [];
  let failures = 0;
  let answered = 0;
  const started = now();
  await pace(rate, stream.length / rate, async (index) => {
    const callback = stream[index];
    if (!callback) return;
    const due = started + (index / rate) * 1000;
    const answer = await send(client, callback);
    answered++;
    if (answer.status !== 200) failures++;
    latencies.push(now() - due);
  });
  return { rate: answered / ((now() - started) / 1000), latencies, failures, sent: stream.length };
}

/**
 * What the database says about the calls whose callbacks were sent: every callback recorded,
 * each call completed with one history row. Calls prepared but never called back are removed.
 */
async function checkPhase(sql: postgres.Sql, stream: readonly SignedCallback[], sentCount: number): Promise<string> {
  const sent = stream.slice(0, sentCount);
  const ids = [...new Set(sent.map((callback) => callback.callId))];
  const unused = [...new Set(stream.slice(sentCount).map((callback) => callback.callId))].filter((id) => !ids.includes(id));
  if (unused.length > 0) await sql`delete from active_calls where id = any(${unused}::uuid[])`;
  const [logs] = await sql<{ recorded: number; duplicates: number }[]>`
    select count(*)::int as recorded, (count(*) filter (where outcome = 'duplicate'))::int as duplicates
    from twilio_call_logs where active_call_id = any(${ids}::uuid[]) and direction = 'webhook' and event = 'status'`;
  const [calls] = await sql<{ calls: number; completed: number; one_history_row: number }[]>`
    select count(*)::int as calls, (count(*) filter (where status = 'completed'))::int as completed,
      (count(*) filter (where (select count(*) from call_logs h where h.active_call_id = a.id) = 1))::int as one_history_row
    from active_calls a where a.id = any(${ids}::uuid[])`;
  const repeats = sent.filter((callback) => callback.isRepeat).length;
  const lost = sent.length - (logs?.recorded ?? 0);
  return (
    `  sent ${sent.length} callbacks (${repeats} repeats): recorded ${logs?.recorded}, lost ${lost}, taken as duplicates ${logs?.duplicates}; ` +
    `calls ${calls?.calls}: completed ${calls?.completed}, with exactly one history row ${calls?.one_history_row}`
  );
}

async function main() {
  line(await describeMachine(BENCH_DATABASE_URL));
  line(`signed status callbacks: flat out with ${CONCURRENCY} in flight, then paced at ${RATE}/s; ${SECONDS} s each; ${LIVE} calls live at once; ${REPEAT_SHARE * 100} % repeated`);
  const database = await createBenchDatabase();
  const server = await startBenchServer(database.url, {
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM_NUMBER: FROM,
    // Nothing listens there: the sweeper's questions to "Twilio" fail and are logged, nothing else.
    TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
  });
  const sql = postgres(database.url, { max: 4, onnotice: () => {} });
  const client = createHttpClient(server.url, CONCURRENCY);
  const perCall = STATUSES.length * (1 + REPEAT_SHARE);
  try {
    // Warm-up: connections, plans and the JIT, untimed.
    const warmup = await prepareCallbacks(sql, server, 'warmup', 2 * LIVE);
    await checkPhase(sql, warmup, (await runFlatOut(client, warmup, 2)).sent);

    const describePhase = async (title: string, tag: string, run: (stream: SignedCallback[]) => Promise<PhaseResult>, calls: number) => {
      const stream = await prepareCallbacks(sql, server, tag, calls);
      await sleep(500);
      const cpu = await startCpuAccount(server.pid);
      const result = await run(stream);
      line('');
      line(`-- ${title}`);
      line(`  ${result.rate.toFixed(0)} callbacks/s answered; response time ${describeLatency(percentiles(result.latencies))}; not 200: ${result.failures}`);
      line(`  ${await cpu.describe()}`);
      await sleep(500);
      line(await checkPhase(sql, stream, result.sent));
      return result;
    };

    // Calls for the flat-out phase at up to 4,000 callbacks/s (a faster server runs out of them and is timed until then).
    const max = await describePhase(`flat out, ${CONCURRENCY} in flight, ${SECONDS} s`, 'max', (s) => runFlatOut(client, s, SECONDS), Math.ceil((4_000 * SECONDS) / perCall));
    const isGoalReachable = max.rate >= RATE;
    const rate = isGoalReachable ? RATE : Math.floor((0.8 * max.rate) / 50) * 50;
    const title = isGoalReachable ? `paced at ${rate}/s, ${SECONDS} s` : `paced at ${rate}/s (80 % of the maximum; ${RATE}/s is more than it takes), ${SECONDS} s`;
    const paced = await describePhase(title, 'paced', (s) => runPaced(client, s, rate), Math.ceil((rate * SECONDS) / perCall));

    line('');
    line(`== against the goal (>= 2,000 callbacks/s, 0 lost, one history row per call)`);
    line(`sustained maximum ${max.rate.toFixed(0)} callbacks/s (p99 ${percentiles(max.latencies).p99.toFixed(1)} ms at ${CONCURRENCY} in flight)`);
    line(`paced at ${rate}/s: ${paced.rate.toFixed(0)}/s answered, p99 ${percentiles(paced.latencies).p99.toFixed(1)} ms`);
  } finally {
    client.close();
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

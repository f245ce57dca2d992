/**
 * Whether a client that stops reading slows the others down. Prints figures; asserts nothing.
 *
 *   npm run bench:slow-consumer
 *   BENCH_RATE=500 BENCH_SLOW=50 npm run bench:slow-consumer
 *
 * One server (its own process, PostgreSQL with the capture the server picks), BENCH_SUBSCRIBERS
 * sockets each signed in as its own user on its own `active_calls` rows, and the writer of the
 * realtime bench (one-row UPDATEs of each user's live call) at BENCH_RATE changes a second.
 * Two runs of BENCH_SECONDS on the same server:
 *
 * 1. without: the subscribers alone (the baseline);
 * 2. with: BENCH_SLOW more sockets, each joined with the service role key to every
 *    `active_calls` change (a supervisor's screen: the whole stream, so its unread bytes grow
 *    fast), which stop reading (`ws.pause()`: the TCP socket is no longer read, the kernel's
 *    buffers fill, then the server's own queue) as the run starts.
 *
 * The subscribers' latency (writer sends → callback) is compared between the runs; in the
 * second, split at the moment the server had closed every slow socket. The server's count of
 * slow consumers it closed (`dialer_realtime_slow_consumers_dropped_total`) is read every 100 ms;
 * after the run the slow sockets read again and report the close code they find (1013 per the
 * 1 MiB rule).
 */
import postgres from 'postgres';
import { createTokenService } from '../src/api/jwt.js';
import { createCallWriter } from './support/call-writer.js';
import { describeLatency, describeMachine, envNumber, mib, now, percentiles, sampleRss, sleep, startCpuAccount, waitUntil } from './support/measure.js';
import { benchEmail, closeSockets, connectUserSubscribers, keepAlive, openPhoenixSocket, type PhoenixSocket } from './support/phoenix.js';
import { BENCH_DATABASE_URL, BENCH_JWT_SECRET, createBenchDatabase, migrateBenchDatabase, readMetric, seedBenchUsers, startBenchServer } from './support/stack.js';

const SUBSCRIBERS = envNumber('BENCH_SUBSCRIBERS', 1000);
const RATE = envNumber('BENCH_RATE', 1000);
const SECONDS = envNumber('BENCH_SECONDS', 15);
const SLOW = envNumber('BENCH_SLOW', 20);
const WARMUP_SECONDS = 2;
const DROPPED = 'dialer_realtime_slow_consumers_dropped_total';

const line = (text = '') => process.stdout.write(`${text}\n`);

async function main() {
  line(await describeMachine(BENCH_DATABASE_URL));
  line(`subscribers: ${SUBSCRIBERS}   rate: ${RATE} changes/s   ${SECONDS} s per run (timed after ${WARMUP_SECONDS} s)   slow sockets in the second run: ${SLOW}`);
  const database = await createBenchDatabase();
  await migrateBenchDatabase(database.url);
  const users = await seedBenchUsers(database.url, Array.from({ length: SUBSCRIBERS }, (_, index) => benchEmail(index)));
  const server = await startBenchServer(database.url);
  const tokens = await createTokenService(BENCH_JWT_SECRET);
  const sql = postgres(database.url, { max: 32, onnotice: () => {} });
  const sentAt = new Map<string, number>();
  const arrivals: Array<{ key: string; latency: number }> = [];
  try {
    line(`capture: ${server.captureLine}`);
    const sockets = await connectUserSubscribers({
      serverUrl: server.url,
      tokens,
      users,
      onChange: (_user, data, arrivedAt) => {
        const key = String(data.record?.['session_id']);
        const sent = sentAt.get(key);
        if (sent !== undefined) arrivals.push({ key, latency: arrivedAt - sent });
      },
    });
    const slowSockets: PhoenixSocket[] = [];
    const stopHeartbeats = keepAlive(() => [...sockets, ...slowSockets]);
    const writer = createCallWriter(sql);
    await writer.placeLiveCalls(SUBSCRIBERS);

    /** One run: the writer at RATE; the subscribers' latencies by the moment their change was sent. */
    const run = async (name: string) => {
      const first = arrivals.length;
      const rss = sampleRss(server.pid);
      const cpu = await startCpuAccount(server.pid);
      const { seconds } = await writer.paceChanges({
        workload: 'update',
        rate: RATE,
        seconds: SECONDS,
        users: SUBSCRIBERS,
        keyOf: (seq) => `${name}:${seq}`,
        onSend: (key, at) => sentAt.set(key, at),
        onAck: () => {},
      });
      const sentInRun = [...sentAt.keys()].filter((key) => key.startsWith(`${name}:`));
      // Late changes are waited for (a lagging feed is slow, not lossy); what never comes is lost.
      await waitUntil(() => arrivals.length - first >= sentInRun.length, 15_000);
      await sleep(200);
      const heard = arrivals.slice(first);
      const timed = heard.filter(({ key }) => Number(key.slice(name.length + 1)) >= RATE * WARMUP_SECONDS);
      const lost = sentInRun.length - new Set(heard.map(({ key }) => key)).size;
      line(`  subscribers (send -> callback): ${describeLatency(percentiles(timed.map(({ latency }) => latency)))}`);
      line(`  delivered ${heard.length}/${sentInRun.length} (${(heard.length / seconds).toFixed(0)}/s), lost ${lost}; server RSS peak ${mib(rss.stop().peak)}; ${await cpu.describe()}`);
      return { timed, heard };
    };

    line('');
    line('-- without slow sockets');
    const without = await run('without');

    line('');
    line(`-- with ${SLOW} sockets that stop reading (service role, every active_calls change)`);
    for (let index = 0; index < SLOW; index++) {
      const socket = await openPhoenixSocket(server.url, tokens.anonKey);
      await socket.join(`slow-${index}`, { config: { postgres_changes: [{ event: '*', schema: 'public', table: 'active_calls' }] }, access_token: tokens.serviceRoleKey });
      slowSockets.push(socket);
    }
    const droppedBefore = await readMetric(server, DROPPED);
    const drops: number[] = [];
    let lastCount = droppedBefore;
    const watch = setInterval(() => {
      void readMetric(server, DROPPED).then((count) => {
        for (; lastCount < count; lastCount++) drops.push(now());
      });
    }, 100);
    for (const { ws } of slowSockets) ws.pause();
    const pausedAt = now();
    const withSlow = await run('with');
    clearInterval(watch);
    const droppedAfter = await readMetric(server, DROPPED);

    // Read again: what each slow socket finds once it catches up with its unread bytes.
    for (const { ws } of slowSockets) ws.resume();
    const codes = await Promise.all(slowSockets.map((s) => Promise.race([s.closed.then(({ code }) => String(code)), sleep(10_000).then(() => 'still open')])));
    const byCode = new Map<string, number>();
    for (const code of codes) byCode.set(code, (byCode.get(code) ?? 0) + 1);
    const allClosedAt = drops.length >= SLOW ? drops[SLOW - 1] : undefined;
    line(
      `  server closed ${droppedAfter - droppedBefore} slow consumers (${DROPPED}); ` +
        (drops.length > 0 ? `the first ${((drops[0] ?? 0) - pausedAt).toFixed(0)} ms after they stopped reading, the last ${((drops.at(-1) ?? 0) - pausedAt).toFixed(0)} ms after` : 'none seen'),
    );
    line(`  close codes the slow sockets read once they read again: ${[...byCode].map(([code, n]) => `${n} × ${code}`).join(', ')}`);
    if (allClosedAt !== undefined) {
      // Latency by when the change was sent: while slow sockets were still open, and after (warm-up included: the server is warm by now).
      const sentBy = (at: number) => ({ key }: { key: string }) => (sentAt.get(key) ?? 0) < at;
      const whileOpen = withSlow.heard.filter(sentBy(allClosedAt));
      const after = withSlow.heard.filter((arrival) => !sentBy(allClosedAt)(arrival));
      line(`  subscribers while slow sockets were open: ${describeLatency(percentiles(whileOpen.map(({ latency }) => latency)))}`);
      line(`  subscribers after the last was closed:     ${describeLatency(percentiles(after.map(({ latency }) => latency)))}`);
    }

    line('');
    const p99 = (run: { timed: Array<{ latency: number }> }) => percentiles(run.timed.map(({ latency }) => latency)).p99;
    line(`== subscribers' p99 without ${p99(without).toFixed(2)} ms, with ${SLOW} slow sockets ${p99(withSlow).toFixed(2)} ms (ratio ${(p99(withSlow) / p99(without)).toFixed(2)})`);
    stopHeartbeats();
    await closeSockets([...sockets, ...slowSockets]);
  } finally {
    await sql.end();
    await server.stop();
    await database.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/**
 * Whether a client that stops reading slows the others down. Prints figures; asserts nothing.
 *
 *   npm run bench:slow-consumer
 *   BENCH_RATE=500 BENCH_SLOW=50 npm run bench:slow-consumer
 *
 * One server (its own process, PostgreSQL with the capture the server picks), BENCH_SUBSCRIBERS
 * sockets each signed in as its own user on its own `active_calls` rows, and the writer of the
 * realtime bench (one-row UPDATEs of each user's live call) at BENCH_RATE changes a second.
 * Three runs of BENCH_SECONDS on the same server:
 *
 * 1. alone: the subscribers only (the baseline);
 * 2. readers: BENCH_SLOW more sockets, each joined with the service role key to every
 *    `active_calls` change (a supervisor's screen: the whole stream), which keep reading: the
 *    same fan-out as the next run without the slowness, to tell the two apart;
 * 3. slow: BENCH_SLOW such sockets that stop reading as the run starts (`ws.pause()`: the TCP
 *    socket is no longer read, the kernel's buffers fill, then the server's own queue).
 *
 * The subscribers' latency (writer sends → callback) is compared between the runs; in the
 * third, split at the moment the server had closed every slow socket. The server's count of
 * slow consumers it closed (`dialer_realtime_slow_consumers_dropped_total`) is read every 100 ms;
 * after the run the slow sockets read again and report the close code they find (1013 per the
 * 1 MiB rule).
 */
import postgres from 'postgres';
import { createTokenService } from '../src/api/jwt.js';
import { createCallWriter } from './support/call-writer.js';
import { describeLatency, describeMachine, envNumber, mib, now, percentiles, sampleRss, sleep, startCpuAccount, summarizeCpuProfile, waitUntil } from './support/measure.js';
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
  const ackedAt = new Map<string, number>();
  /** Each change a subscriber got: from the writer's send, and from its commit's acknowledgement (NaN if it came first). */
  const arrivals: Array<{ key: string; latency: number; afterAck: number }> = [];
  try {
    line(`capture: ${server.captureLine}`);
    const sockets = await connectUserSubscribers({
      serverUrl: server.url,
      tokens,
      users,
      onChange: (_user, data, arrivedAt) => {
        const key = String(data.record?.['session_id']);
        const sent = sentAt.get(key);
        if (sent !== undefined) arrivals.push({ key, latency: arrivedAt - sent, afterAck: arrivedAt - (ackedAt.get(key) ?? Number.NaN) });
      },
    });
    const extraSockets: PhoenixSocket[] = [];
    const stopHeartbeats = keepAlive(() => [...sockets, ...extraSockets]);
    const writer = createCallWriter(sql);
    await writer.placeLiveCalls(SUBSCRIBERS);

    /** One run: the writer at RATE; the subscribers' latencies by the moment their change was sent. */
    const run = async (name: string) => {
      const first = arrivals.length;
      const statements: number[] = [];
      const rss = sampleRss(server.pid);
      const cpu = await startCpuAccount(server.pid);
      const { seconds } = await writer.paceChanges({
        workload: 'update',
        rate: RATE,
        seconds: SECONDS,
        users: SUBSCRIBERS,
        keyOf: (seq) => `${name}:${seq}`,
        onSend: (key, at) => sentAt.set(key, at),
        onAck: (key, at) => {
          ackedAt.set(key, at);
          const sent = sentAt.get(key);
          if (sent !== undefined && Number(key.slice(name.length + 1)) >= RATE * WARMUP_SECONDS) statements.push(at - sent);
        },
      });
      const sentInRun = [...sentAt.keys()].filter((key) => key.startsWith(`${name}:`));
      // Late changes are waited for (a lagging feed is slow, not lossy); what never comes is lost.
      await waitUntil(() => arrivals.length - first >= sentInRun.length, 15_000);
      await sleep(200);
      const heard = arrivals.slice(first);
      const timed = heard.filter(({ key }) => Number(key.slice(name.length + 1)) >= RATE * WARMUP_SECONDS);
      const lost = sentInRun.length - new Set(heard.map(({ key }) => key)).size;
      line(`  subscribers (send -> callback): ${describeLatency(percentiles(timed.map(({ latency }) => latency)))}`);
      line(`  writer statement (send -> commit acknowledged): ${describeLatency(percentiles(statements))}`);
      line(`  commit acknowledged -> callback: ${describeLatency(percentiles(timed.map(({ afterAck }) => afterAck).filter(Number.isFinite)))}`);
      line(`  delivered ${heard.length}/${sentInRun.length} (${(heard.length / seconds).toFixed(0)}/s), lost ${lost}; server RSS peak ${mib(rss.stop().peak)}; ${await cpu.describe()}`);
      return { timed, heard };
    };

    /** Sockets joined with the service role key to every active_calls change, as a supervisor's screen. */
    const openFullStream = async (tag: string) => {
      const opened: PhoenixSocket[] = [];
      for (let index = 0; index < SLOW; index++) {
        const socket = await openPhoenixSocket(server.url, tokens.anonKey);
        await socket.join(`${tag}-${index}`, { config: { postgres_changes: [{ event: '*', schema: 'public', table: 'active_calls' }] }, access_token: tokens.serviceRoleKey });
        opened.push(socket);
      }
      extraSockets.push(...opened);
      return opened;
    };

    line('');
    line('-- alone: the subscribers only');
    const alone = await run('alone');

    line('');
    line(`-- with ${SLOW} full-stream sockets that keep reading (the same fan-out, no slowness)`);
    const readers = await openFullStream('reader');
    for (const socket of readers) socket.drainOnly();
    const withReaders = await run('readers');
    await closeSockets(readers);

    line('');
    line(`-- with ${SLOW} full-stream sockets that stop reading`);
    const slowSockets = await openFullStream('slow');
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
    const withSlow = await run('slow');
    clearInterval(watch);
    const droppedAfter = await readMetric(server, DROPPED);

    // Read again: what each slow socket finds once it catches up with its unread bytes.
    for (const socket of slowSockets) {
      socket.drainOnly();
      socket.ws.resume();
    }
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
      // By when the change was sent: while slow sockets were still open, and after (warm-up included: the server is warm by now).
      const sentBefore = ({ key }: { key: string }) => (sentAt.get(key) ?? 0) < allClosedAt;
      line(`  subscribers while slow sockets were open: ${describeLatency(percentiles(withSlow.heard.filter(sentBefore).map(({ latency }) => latency)))}`);
      line(`  subscribers after the last was closed:     ${describeLatency(percentiles(withSlow.heard.filter((arrival) => !sentBefore(arrival)).map(({ latency }) => latency)))}`);
    }

    line('');
    const p99 = (run: { timed: Array<{ latency: number }> }) => percentiles(run.timed.map(({ latency }) => latency)).p99;
    line(
      `== subscribers' p99: alone ${p99(alone).toFixed(2)} ms, beside ${SLOW} full-stream readers ${p99(withReaders).toFixed(2)} ms, ` +
        `beside ${SLOW} that stop reading ${p99(withSlow).toFixed(2)} ms (${(p99(withSlow) / p99(alone)).toFixed(2)} x alone, ${(p99(withSlow) / p99(withReaders)).toFixed(2)} x readers); ` +
        `${droppedAfter - droppedBefore} of ${SLOW} closed, ${byCode.get(String(1013)) ?? 0} read 1013`,
    );
    stopHeartbeats();
    await closeSockets([...sockets, ...extraSockets]);
  } finally {
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

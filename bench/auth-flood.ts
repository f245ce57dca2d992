/**
 * Another user's REST latency at rest and during a flood of wrong sign-ins, measured in one
 * run against one server. Prints figures; asserts nothing.
 *
 *   npm run bench:auth
 *   BENCH_FLOOD_CONCURRENCY=32 BENCH_SECONDS=20 npm run bench:auth
 *
 * The server runs as its own process on embedded PGlite (as `npm start` does). A signed-in rep
 * reads `leads` through REST one request after another, 50 ms apart, first at rest (the
 * baseline), then during each flood: BENCH_FLOOD_CONCURRENCY clients sending wrong passwords
 * back to back for BENCH_SECONDS,
 * - from one address: half at one real account, half at unknown emails;
 * - spread over 64 loopback addresses (127.0.0.2 ...), each at its own unknown emails, which
 *   the per-address allowance does not stop for long: the password hashing itself is loaded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { MAX_CONCURRENT_HASHES } from '../src/auth/hash-gate.js';
import { startServerProcess } from '../test/support/server-process.js';

const FLOOD_CONCURRENCY = Number(process.env.BENCH_FLOOD_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SPREAD_ADDRESSES = 64;
const PROBE_GAP_MS = 50;
const SECRET = 'bench-secret-long-enough-for-hs256-signing-0123456789';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN, count: sorted.length };
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request; `localAddress` picks the loopback address it comes from. */
function send(url: string, path: string, options: { method?: string; headers: Record<string, string>; body?: string; agent?: Agent; localAddress?: string }): Promise<Answer> {
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: options.method ?? 'GET',
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        headers: options.body === undefined ? options.headers : { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
        ...(options.agent ? { agent: options.agent } : {}),
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (body += text));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'dialer-bench-auth-'));
  const server = await startServerProcess({ DIALER_DATA_DIR: dataDir, JWT_SECRET: SECRET, DATABASE_URL: '', LOG_LEVEL: 'error' });
  try {
    const { anonKey } = (await (await fetch(`${server.url}/config.json`)).json()) as { anonKey: string };
    const json = { apikey: anonKey, 'content-type': 'application/json' };
    const signUp = async (email: string) => {
      const answer = await send(server.url, '/auth/v1/signup', { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'correct horse battery' }) });
      if (answer.status !== 200) throw new Error(`sign-up failed: ${answer.body}`);
      return (JSON.parse(answer.body) as { access_token: string }).access_token;
    };
    const repToken = await signUp('bench-rep@example.com');
    await signUp('bench-target@example.com');

    const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const probe = async (until: () => boolean) => {
      const latencies: number[] = [];
      let failures = 0;
      while (until()) {
        const started = performance.now();
        const answer = await send(server.url, '/rest/v1/leads?select=id', { headers: { apikey: anonKey, authorization: `Bearer ${repToken}` }, agent: probeAgent });
        latencies.push(performance.now() - started);
        if (answer.status !== 200) failures += 1;
        await sleep(PROBE_GAP_MS);
      }
      return { ...percentiles(latencies), failures };
    };

    const flood = async (addressOf: (worker: number) => string | undefined, emailOf: (worker: number, attempt: number) => string) => {
      const counts = new Map<string, number>();
      const deadline = performance.now() + SECONDS * 1000;
      let isOver = false;
      const workers = Array.from({ length: FLOOD_CONCURRENCY }, async (_, worker) => {
        for (let attempt = 0; performance.now() < deadline; attempt++) {
          const address = addressOf(worker + attempt * FLOOD_CONCURRENCY);
          const answer = await send(server.url, '/auth/v1/token?grant_type=password', {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ email: emailOf(worker, attempt), password: 'not the password' }),
            ...(address ? { localAddress: address } : {}),
          });
          const code = answer.status === 429 || answer.status === 400 ? ((JSON.parse(answer.body) as { code?: string }).code ?? String(answer.status)) : String(answer.status);
          counts.set(code, (counts.get(code) ?? 0) + 1);
        }
      });
      const [latency] = await Promise.all([probe(() => !isOver), Promise.all(workers).then(() => (isOver = true))]);
      return { latency, counts };
    };

    const describe = (label: string, stats: ReturnType<typeof percentiles> & { failures: number }) =>
      `${label}: p50 ${fmt(stats.p50)}  p95 ${fmt(stats.p95)}  p99 ${fmt(stats.p99)}  max ${fmt(stats.max)}  (${stats.count} requests, ${stats.failures} not 200)`;
    const describeCounts = (counts: Map<string, number>) => {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const checked = counts.get('invalid_credentials') ?? 0;
      const limited = counts.get('over_request_rate_limit') ?? 0;
      const other = total - checked - limited;
      return `${total} wrong sign-ins: ${checked} checked (invalid_credentials, ${(checked / SECONDS).toFixed(1)}/s), ${limited} answered 429 over_request_rate_limit${other ? `, ${other} other` : ''}`;
    };

    // Warm up: plans, the JWT key, PGlite's caches.
    const warmUntil = performance.now() + 2000;
    await probe(() => performance.now() < warmUntil);

    const restUntil = performance.now() + SECONDS * 1000;
    const rest = await probe(() => performance.now() < restUntil);
    const oneAddress = await flood(
      () => undefined,
      (worker, attempt) => (worker % 2 === 0 ? 'bench-target@example.com' : `nobody-${worker}-${attempt}@example.com`),
    );
    const spread = await flood(
      (n) => `127.0.0.${2 + (n % SPREAD_ADDRESSES)}`,
      (worker, attempt) => `spread-${worker}-${attempt}@example.com`,
    );

    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    process.stdout.write(
      [
        `machine: ${availableParallelism()} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, embedded PGlite; server in its own process`,
        `flood: ${FLOOD_CONCURRENCY} concurrent wrong sign-ins for ${SECONDS} s; password hashes at once: ${MAX_CONCURRENT_HASHES}`,
        describe('another user\'s REST read at rest', rest),
        describe('during a flood from one address', oneAddress.latency),
        `  ${describeCounts(oneAddress.counts)}`,
        describe(`during a flood from ${SPREAD_ADDRESSES} addresses`, spread.latency),
        `  ${describeCounts(spread.counts)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

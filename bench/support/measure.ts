/**
 * How the benches time, pace and describe what they measured: percentiles, an open-loop pacer,
 * a closed-loop driver, the machine and its load, and where the CPU went (server, PostgreSQL,
 * the bench itself) read from /proc.
 */
import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Milliseconds since the epoch, with the sub-millisecond part. */
export const now = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `isDone()` holds (checked every 50 ms) or `timeoutMs` has passed; false on a timeout. */
export async function waitUntil(isDone: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (!isDone()) {
    if (now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** A number from the environment, or the default. */
export function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : Number(value);
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly count: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? Number.NaN, count: sorted.length };
}

export const fmt = (ms: number, digits = 2): string => `${ms.toFixed(digits)} ms`;

/** `p50 … p95 … p99 … max … (n)` on one line. */
export function describeLatency(stats: Percentiles, digits = 2): string {
  return `p50 ${fmt(stats.p50, digits)}  p95 ${fmt(stats.p95, digits)}  p99 ${fmt(stats.p99, digits)}  max ${fmt(stats.max, digits)}  (${stats.count})`;
}

/** The header every bench prints first: the machine, its load when the run started, and PostgreSQL. */
export async function describeMachine(databaseUrl?: string): Promise<string> {
  let database = '';
  if (databaseUrl) {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const [row] = await sql<{ version: string; wal_level: string; sync: string }[]>`
      select current_setting('server_version') as version, current_setting('wal_level') as wal_level, current_setting('synchronous_commit') as sync`;
    await sql.end();
    database = `, PostgreSQL ${row?.version ?? '?'} (wal_level ${row?.wal_level ?? '?'}, synchronous_commit ${row?.sync ?? '?'})`;
  }
  const [one, five, fifteen] = loadavg().map((load) => load.toFixed(2));
  return [
    `machine: ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}${database}`,
    `load average at start: ${one} ${five} ${fifteen}   (${new Date().toISOString()})`,
  ].join('\n');
}

/**
 * Calls `send(i)` `rate` times a second for `seconds` (open loop: a slow answer does not delay
 * the next send). Resolves when every send has settled, with the seconds the sending took.
 */
export async function pace(rate: number, seconds: number, send: (index: number) => Promise<unknown>): Promise<number> {
  const total = Math.round(rate * seconds);
  const inFlight: Promise<unknown>[] = [];
  // The first failure ends the run once every send has settled (and none goes unhandled meanwhile).
  let failure: { error: unknown } | undefined;
  const started = now();
  let sent = 0;
  while (sent < total && !failure) {
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * rate) + 1);
    while (sent < due) inFlight.push(send(sent++).catch((error: unknown) => (failure ??= { error })));
    await sleep(2);
  }
  const sendingSeconds = (now() - started) / 1000;
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return sendingSeconds;
}

/** Runs `workers` loops of `work(worker)` back to back until `seconds` have passed (closed loop). */
export async function flatOut(workers: number, seconds: number, work: (worker: number) => Promise<unknown>): Promise<void> {
  const deadline = now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (now() < deadline) await work(worker);
    }),
  );
}

/** Resident memory of a process, in bytes (Linux /proc). */
export async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kib === undefined ? Number.NaN : Number(kib) * 1024;
}

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Samples a process's RSS every `intervalMs` until stopped: the peak and the last value. */
export function sampleRss(pid: number, intervalMs = 200) {
  let peak = 0;
  let last = 0;
  const timer = setInterval(() => {
    void readRss(pid).then((rss) => {
      if (Number.isFinite(rss)) {
        last = rss;
        peak = Math.max(peak, rss);
      }
    });
  }, intervalMs);
  return {
    current: () => last,
    stop: () => {
      clearInterval(timer);
      return { peak, last };
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of a process from /proc/<pid>/stat; 0 once it is gone. */
async function cpuSecondsOf(pid: number | string): Promise<{ comm: string; seconds: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
  return { comm, seconds: (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / CLOCK_TICKS_PER_SECOND };
}

interface CpuSnapshot {
  readonly at: number;
  readonly server: number;
  /** CPU seconds of each PostgreSQL process, by pid. */
  readonly postgres: ReadonlyMap<string, number>;
  readonly bench: number;
}

async function snapshotCpu(serverPid: number | undefined): Promise<CpuSnapshot> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const all = await Promise.all(pids.map(async (pid) => ({ pid, ...(await cpuSecondsOf(pid)) })));
  const usage = process.cpuUsage();
  return {
    at: now(),
    server: serverPid === undefined ? 0 : (await cpuSecondsOf(serverPid)).seconds,
    postgres: new Map(all.filter((p) => p.comm === 'postgres').map((p) => [p.pid, p.seconds])),
    bench: (usage.user + usage.system) / 1e6,
  };
}

/**
 * Where the CPU went between `start` and `describe()`: the server process, every PostgreSQL
 * process (backends, walsenders, WAL writer) and this bench, in cores used on average.
 * PostgreSQL processes that exited before `describe()` are not counted.
 */
export async function startCpuAccount(serverPid: number | undefined) {
  const first = await snapshotCpu(serverPid);
  return {
    async describe(): Promise<string> {
      const last = await snapshotCpu(serverPid);
      const seconds = (last.at - first.at) / 1000;
      let postgresSeconds = 0;
      for (const [pid, used] of last.postgres) postgresSeconds += used - (first.postgres.get(pid) ?? 0);
      const cores = (used: number) => (used / seconds).toFixed(2);
      return `CPU (cores, of ${availableParallelism()}): server ${cores(last.server - first.server)}, PostgreSQL ${cores(postgresSeconds)}, bench ${cores(last.bench - first.bench)}`;
    },
  };
}

interface ProfileNode {
  readonly id: number;
  readonly hitCount?: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

/** Where a profile frame's code lives: a package, an area of src/, Node's internals, or native code. */
function areaOf(functionName: string, file: string): string {
  if (file === '') return functionName.startsWith('(') ? functionName : 'native code (socket writes, crypto, ...)';
  if (file.startsWith('node:')) return 'Node internals';
  const pkg = /^node_modules\/((@[^/]+\/)?[^/]+)/.exec(file)?.[1];
  if (pkg) return pkg;
  return file.split('/').slice(0, 2).join('/');
}

/**
 * Where the server's CPU went, from the profile `--cpu-prof` wrote into `dir` for the main thread
 * of process `pid` (a server run with BENCH_PROFILE; tsx's loader thread writes one of its own):
 * the busy share (samples not idle), then the top functions and the top areas by self time, as
 * shares of the busy time.
 */
export async function summarizeCpuProfile(dir: string, pid: number, top = 15): Promise<string> {
  const name = (await readdir(dir)).find((file) => file.includes(`.${pid}.0.`) && file.endsWith('.cpuprofile'));
  if (!name) return `no CPU profile of process ${pid} in ${dir}`;
  const profile = JSON.parse(await readFile(join(dir, name), 'utf8')) as { nodes: ProfileNode[] };
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    total += count;
    if (functionName === '(idle)') {
      idle += count;
      continue;
    }
    const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(ROOT, '');
    const key = `${functionName || '(anonymous)'}  ${file ? `${file}:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + count);
    const area = areaOf(functionName, file);
    byArea.set(area, (byArea.get(area) ?? 0) + count);
  }
  const busy = total - idle;
  const list = (counts: Map<string, number>, n: number) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, count]) => `  ${((count / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  return [
    `server CPU profile ${join(dir, name)}: busy ${((busy / total) * 100).toFixed(0)} % of the samples`,
    `by function (self time, share of busy):`,
    ...list(byFunction, top),
    `by area:`,
    ...list(byArea, 12),
  ].join('\n');
}

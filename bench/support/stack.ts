/**
 * What every benchmark stands on: a fresh PostgreSQL database of its own, dropped at the end,
 * and the real server (`src/main.ts`) as its own process, as an operator runs it. Kept apart
 * from test/support so the benches can add what only they need (profiling flags, the process
 * id for RSS and CPU) without touching the test helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { migrate } from '../../src/db/migrate.js';
import { openPostgres } from '../../src/db/postgres.js';
import { nextPermissiveInstant } from '../../test/support/dial-clock.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const BENCH_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Shared by the server and the benches, which mint tokens with it instead of signing up thousands of users. */
export const BENCH_JWT_SECRET = 'bench-secret-long-enough-for-hs256-signing-0123456789';
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';

/**
 * How realtime hears the database. `logical` is what a server with `wal_level = logical` picks by
 * itself; `notify` keeps the triggers and NOTIFY there (`dialer.change_capture = 'notify'`, as the
 * test suite's `postgres-notify` databases do).
 */
export type Capture = 'logical' | 'notify';

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  dispose(): Promise<void>;
}

/** A new, empty database on the benchmark server; `dispose` drops it (and any slot left on it). */
export async function createBenchDatabase(capture: Capture = 'logical'): Promise<BenchDatabase> {
  const name = `dialer_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  // Before anyone connects: the setting applies to sessions that start afterwards.
  if (capture === 'notify') await admin.unsafe(`alter database ${name} set dialer.change_capture = 'notify'`);
  const url = new URL(BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async dispose() {
      // A temporary slot goes when its backend exits; DROP DATABASE refuses while it is there.
      for (let attempt = 0; attempt < 100; attempt++) {
        const slots = await admin<{ pid: number | null }[]>`select active_pid as pid from pg_replication_slots where database = ${name}`;
        if (slots.length === 0) break;
        for (const { pid } of slots) if (pid !== null) await admin`select pg_terminate_backend(${pid})`;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Applies every migration, so users can be written before the server starts (it then finds nothing to do). */
export async function migrateBenchDatabase(url: string): Promise<void> {
  const db = openPostgres(url, { max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
}

export interface BenchUser {
  readonly id: string;
  readonly email: string;
}

/**
 * Accounts for `emails`, written in SQL as sign-up leaves them (the user, a rep's membership of a
 * workspace, their rep state), in teams of `teamSize` reps with an admin each who is not one of
 * `emails`. No password works: benches mint access tokens with BENCH_JWT_SECRET instead, since
 * thousands of sign-ups would measure password hashing. Returns the users in the order given.
 */
/**
 * The demo clock every bench user dials on: the next weekday midday in Chicago, so the dial gate's
 * calling hours (08:00–21:00 at the callee) never refuse a bench's demo calls, whenever it runs.
 */
export function demoClockOffsetSeconds(): number {
  return Math.round((nextPermissiveInstant(Date.now()) - Date.now()) / 1000);
}

export async function seedBenchUsers(url: string, emails: readonly string[], teamSize = 50): Promise<BenchUser[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const teams = Math.ceil(emails.length / teamSize);
    const tag = randomBytes(4).toString('hex');
    const admins = Array.from({ length: teams }, (_, team) => `bench-admin-${tag}-${team}@example.com`);
    const all = [...emails, ...admins];
    const users = await sql<{ id: string; email: string }[]>`
      insert into auth.users (email, encrypted_password) select unnest(${all}::text[]), '!' returning id, email`;
    const workspaces = await sql<{ id: string }[]>`
      insert into workspaces (name) select 'bench team ' || t from generate_series(1, ${teams}::int) t returning id`;
    const idOf = new Map(users.map((user) => [user.email, user.id]));
    const members = all.map((email, index) => {
      const isAdmin = index >= emails.length;
      const team = isAdmin ? index - emails.length : Math.floor(index / teamSize);
      return { user_id: idOf.get(email) ?? '', user_email: email, workspace_id: workspaces[team]?.id ?? '', role: isAdmin ? 'admin' : 'rep' };
    });
    for (let first = 0; first < members.length; first += 5_000) {
      const batch = members.slice(first, first + 5_000);
      await sql`insert into workspace_members ${sql(batch, 'user_id', 'user_email', 'workspace_id', 'role')}`;
      await sql`insert into rep_states ${sql(batch.map(({ user_email, workspace_id }) => ({ user_email, workspace_id })), 'user_email', 'workspace_id')}`;
      await sql`insert into dialer_settings ${sql(batch.map(({ user_email }) => ({ user_email, demo_clock_offset_seconds: demoClockOffsetSeconds() })), 'user_email', 'demo_clock_offset_seconds')}`;
    }
    return emails.map((email) => ({ id: idOf.get(email) ?? '', email }));
  } finally {
    await sql.end();
  }
}

export interface BenchServer {
  readonly url: string;
  readonly databaseUrl: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The banner's realtime line: which capture the server chose. */
  readonly captureLine: string;
  /** SIGTERM, then waits for the exit; removes the data dir. */
  stop(): Promise<void>;
}

/**
 * Starts `src/main.ts` on `databaseUrl` with the bench's JWT secret and metrics token. With
 * `BENCH_PROFILE=<dir>` the server runs under `--cpu-prof` and writes its profile there on exit
 * (read it with `summarizeCpuProfile`, or open it in Chrome's DevTools).
 */
export async function startBenchServer(databaseUrl: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dialer-bench-'));
  const profileDir = process.env.BENCH_PROFILE;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'error',
      DATABASE_URL: databaseUrl,
      DIALER_DATA_DIR: dataDir,
      JWT_SECRET: BENCH_JWT_SECRET,
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Dialer is running at (\S+)[\s\S]*Realtime: .*\n/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
  // Whatever happens to the bench, its server does not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // The banner comes before realtime is attached: ready means the change feed hears the database.
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`${url}/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    if (attempt >= 200) throw new Error('the server did not become ready within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Errors the server logs while the bench runs are worth seeing; the banner is not.
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk.toString()}`));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk.toString()}`));
  return {
    url,
    databaseUrl,
    pid: child.pid ?? 0,
    child,
    captureLine: /Realtime: (.*)/.exec(output)?.[1]?.trim() ?? 'unknown',
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      process.off('exit', killOnExit);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One value of a Prometheus metric from /metrics (the first series whose line starts with `series`), or NaN. */
export async function readMetric(server: BenchServer, series: string): Promise<number> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  const text = await response.text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `) || l.startsWith(`${series}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

/** The anon key clients send as `apikey`, from the server's /config.json. */
export async function readAnonKey(server: BenchServer): Promise<string> {
  const config = (await (await fetch(`${server.url}/config.json`)).json()) as { anonKey: string };
  return config.anonKey;
}

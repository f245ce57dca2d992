import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';
import { createEmptyDatabase, type DatabaseKind } from './databases.js';
import { startDemoCallsAtMidday } from './dial-clock.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Sends the signal and waits for the process to exit. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Runs the real server (`npm start`'s entry) as its own process, as an operator would. With
 * OPEN_SIGNUP on unless `env` says otherwise, as startTestServer: each test user signs up into a
 * workspace of their own.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', OPEN_SIGNUP: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Dialer is running at (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface ServerStorage {
  /** The environment that points a server process at this storage. */
  readonly env: Record<string, string>;
  /** Opens the storage for reading; for PGlite only once the server has stopped. */
  open(): Promise<Database>;
}

/**
 * Fresh storage for server processes (a data dir, and a database on PostgreSQL), migrated, with
 * demo calls on a weekday-midday gate clock (test/support/dial-clock.ts); removed by `cleanups`.
 */
export async function createServerStorage(kind: DatabaseKind, jwtSecret: string, cleanups: Array<() => Promise<void>>): Promise<ServerStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dialer-server-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  if (kind === 'pglite') {
    const prepared = await openPglite(join(dataDir, 'pgdata'));
    await startDemoCallsAtMidday(prepared);
    await prepared.close();
    return { env: { DIALER_DATA_DIR: dataDir, JWT_SECRET: jwtSecret }, open: () => openPglite(join(dataDir, 'pgdata')) };
  }
  const testDb = await createEmptyDatabase('postgres');
  await startDemoCallsAtMidday(testDb.db);
  await testDb.db.close();
  cleanups.push(() => testDb.dispose());
  const url = testDb.url ?? '';
  return { env: { DATABASE_URL: url, DIALER_DATA_DIR: dataDir, JWT_SECRET: jwtSecret }, open: async () => openPostgres(url, { max: 1 }) };
}

/**
 * For tests that run real server processes: fresh storage and started servers, all stopped
 * (SIGKILL) and removed after each test, with `onCleanup` for anything else the test starts.
 */
export function useServerProcesses(kind: DatabaseKind, jwtSecret: string) {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    storage: () => createServerStorage(kind, jwtSecret, cleanups),
    async start(env: Record<string, string>): Promise<ServerProcess> {
      const server = await startServerProcess(env);
      cleanups.push(() => server.stop('SIGKILL'));
      return server;
    },
    onCleanup: (cleanup: () => Promise<void>) => cleanups.push(cleanup),
  };
}

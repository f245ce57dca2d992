import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, TEST_DATABASE_URL } from './support/databases.js';
import { useServerProcesses } from './support/server-process.js';
import { waitFor } from './support/server.js';

const SECRET = 'health-readiness-secret-long-enough-to-sign-tokens';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(DATABASE_KINDS)('/health and /ready on %s', { timeout: 120_000 }, (kind) => {
  const { storage, start } = useServerProcesses(kind, SECRET);

  it('both answer 200 with a small JSON body once the server is up', async () => {
    const server = await start((await storage()).env);
    expect(await getJson(`${server.url}/health`)).toEqual({ status: 200, body: { status: 'ok', database: kind } });
    const ready = await waitFor(async () => {
      const answer = await getJson(`${server.url}/ready`);
      return answer.status === 200 ? answer : undefined;
    }, 20_000, '/ready');
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', change_capture: 'ok' } });
  });

  it('while shutting down /ready answers 503 (the balancer drains it) and /health 200; a second signal ends the wait, exit 0', async () => {
    const server = await start({ ...(await storage()).env, SHUTDOWN_DELAY_SECONDS: '120' });
    await waitFor(async () => ((await fetch(`${server.url}/ready`)).status === 200 ? true : undefined), 20_000, '/ready');
    server.child.kill('SIGTERM');
    const notReady = await waitFor(async () => {
      const answer = await getJson(`${server.url}/ready`);
      return answer.status === 503 ? answer : undefined;
    }, 20_000, '/ready to answer 503');
    expect(notReady.body).toMatchObject({ status: 'not_ready', failed: 'shutting_down' });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    await server.stop('SIGTERM');
    expect(server.child.exitCode).toBe(0);
  });
});

describe.runIf(DATABASE_KINDS.includes('postgres'))('/ready with the database unreachable (PostgreSQL)', { timeout: 120_000 }, () => {
  const { storage, start, onCleanup } = useServerProcesses('postgres', SECRET);

  it('the database refusing connections: /ready 503 naming the database, /health 200; back again, /ready 200 with change capture working', async () => {
    const store = await storage();
    const name = new URL(store.env['DATABASE_URL'] ?? '').pathname.slice(1);
    const server = await start(store.env);
    await waitFor(async () => ((await fetch(`${server.url}/ready`)).status === 200 ? true : undefined), 20_000, '/ready');

    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    onCleanup(async () => {
      await admin.unsafe(`alter database ${name} with allow_connections true`);
      await admin.end();
    });
    // Cut every connection the server holds and refuse new ones: for the server, the database is gone.
    await admin.unsafe(`alter database ${name} with allow_connections false`);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name}`;

    const down = await waitFor(async () => {
      const answer = await getJson(`${server.url}/ready`);
      return answer.status === 503 ? answer : undefined;
    }, 20_000, '/ready to answer 503');
    expect(down.body).toMatchObject({ status: 'not_ready', failed: 'database' });
    expect(JSON.stringify(down.body)).not.toMatch(/allow|connections|terminat/i);
    expect(await getJson(`${server.url}/health`)).toEqual({ status: 200, body: { status: 'ok', database: 'postgres' } });

    await admin.unsafe(`alter database ${name} with allow_connections true`);
    const back = await waitFor(async () => {
      const answer = await getJson(`${server.url}/ready`);
      return answer.status === 200 ? answer : undefined;
    }, 60_000, '/ready to answer 200 again');
    expect(back.body).toMatchObject({ status: 'ready' });
  });
});

describe('production start (npm run start:prod)', { timeout: 120_000 }, () => {
  const { storage, onCleanup } = useServerProcesses(DATABASE_KINDS[0] ?? 'pglite', SECRET);

  it('serves the built web app with NODE_ENV=production, without building it', async () => {
    // `npm test` builds the web app before this suite runs.
    expect(existsSync(`${ROOT}web/dist/index.html`), 'web/dist is missing: run `npm run build` first').toBe(true);
    const store = await storage();
    // Its own process group, so the npm, shell and node processes are stopped together.
    const child = spawn('npm', ['run', 'start:prod'], {
      cwd: ROOT,
      env: { ...process.env, ...store.env, PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    onCleanup(async () => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await waitFor(async () => /Dialer is running at (\S+)/.exec(output)?.[1], 60_000, 'the production start');
    const page = await fetch(`${url}/history`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<!doctype html>/i);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(output).not.toMatch(/vite|building/i);

    // A process manager signals the process it started: npm passes SIGTERM to the server, which
    // stops gracefully, and npm exits with the server's code.
    const code = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    child.kill('SIGTERM');
    expect(await code).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});

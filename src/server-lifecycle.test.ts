import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Readiness } from './readiness.js';
import { createGracefulShutdown, trackRequests } from './server-lifecycle.js';

const logger = pino({ level: 'silent' });

function fakeReadiness(): Readiness {
  let isShuttingDown = false;
  return {
    check: async () => (isShuttingDown ? { status: 'not_ready', failed: 'shutting_down', message: '' } : { status: 'ready', checks: { database: 'ok', migrations: 'ok', change_capture: 'ok' } }),
    markShuttingDown: () => {
      isShuttingDown = true;
    },
    isShuttingDown: () => isShuttingDown,
  };
}

/** A server whose /slow requests wait until released; everything else answers at once. */
async function startSlowServer() {
  const releases: Array<() => void> = [];
  let arrived = 0;
  const server: Server = createServer((req, res) => {
    arrived++;
    if (req.url !== '/slow') return void res.end('fast');
    releases.push(() => res.end('finished'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port, releases, arrivals: () => arrived };
}

function get(port: number, path: string): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe('graceful shutdown (rolling restarts lose nothing)', () => {
  it('a request in flight when the stop begins is finished, new connections are refused, then the database closes', async () => {
    const { server, port, releases, arrivals } = await startSlowServer();
    const requests = trackRequests(server);
    const steps: string[] = [];
    const shutdown = createGracefulShutdown({
      server,
      requests,
      readiness: fakeReadiness(),
      stopRealtime: async () => void steps.push('realtime'),
      // A provider request under way (a hang-up asked for by a webhook) finishes before the database closes.
      stopBackgroundWork: async () => {
        steps.push('timers');
        await new Promise((resolve) => setTimeout(resolve, 50));
        steps.push('provider requests settled');
      },
      closeDatabase: async () => void steps.push('database'),
      logger,
      delayMs: 0,
    });
    const slow = get(port, '/slow');
    await until(() => arrivals() === 1);
    const stopped = shutdown.run('SIGTERM');
    await expect(get(port, '/fast')).rejects.toThrow(/ECONNREFUSED/);
    expect(steps).not.toContain('database');
    releases[0]?.();
    expect(await slow).toMatchObject({ status: 200, body: 'finished', connection: 'close' });
    expect(await stopped).toBe(0);
    expect(steps).toEqual(['realtime', 'timers', 'provider requests settled', 'database']);
  });

  it('a request still running after the drain timeout is cut, and the exit code says so', async () => {
    const { server, port, arrivals } = await startSlowServer();
    const requests = trackRequests(server);
    const closed: string[] = [];
    const shutdown = createGracefulShutdown({
      server,
      requests,
      readiness: fakeReadiness(),
      stopRealtime: async () => {},
      stopBackgroundWork: () => {},
      closeDatabase: async () => void closed.push('database'),
      logger,
      delayMs: 0,
      drainTimeoutMs: 100,
    });
    const stuck = get(port, '/slow');
    await until(() => arrivals() === 1);
    expect(await shutdown.run('SIGTERM')).toBe(1);
    await expect(stuck).rejects.toThrow();
    expect(closed).toEqual(['database']);
  });

  it('during the delay the instance still serves and is not ready; a second signal ends the delay', async () => {
    const { server, port } = await startSlowServer();
    const readiness = fakeReadiness();
    const shutdown = createGracefulShutdown({
      server,
      requests: trackRequests(server),
      readiness,
      stopRealtime: async () => {},
      stopBackgroundWork: () => {},
      closeDatabase: async () => {},
      logger,
      delayMs: 60_000,
    });
    const stopped = shutdown.run('SIGTERM');
    expect(await readiness.check()).toMatchObject({ status: 'not_ready', failed: 'shutting_down' });
    expect(await get(port, '/fast')).toMatchObject({ status: 200, body: 'fast' });
    shutdown.skipDelay();
    expect(await stopped).toBe(0);
    await expect(get(port, '/fast')).rejects.toThrow(/ECONNREFUSED/);
  });
});

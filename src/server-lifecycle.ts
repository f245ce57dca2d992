import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';

/**
 * How long a stopping instance waits for requests in flight (webhooks included) before it cuts
 * them and exits anyway. Twilio gives a webhook 15 s; our handlers answer in milliseconds, so a
 * request still running after 10 s is stuck, not slow.
 */
export const DRAIN_TIMEOUT_MS = 10_000;
/** Room for the steps after the drain (sockets, timers, database) before the process exits anyway. */
export const SHUTDOWN_CLEANUP_MS = 5_000;
/** How long, within the cleanup, provider requests under way (Twilio hang-ups) may take to finish. */
export const PROVIDER_SETTLE_MS = 3_000;

/** The HTTP server's requests in flight, and a way to wait for them. */
export interface RequestTracker {
  inFlight(): number;
  /** Resolves true once no request is in flight, false if `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
}

/**
 * Counts requests from arrival until their response is finished or abandoned. Once draining, each
 * response carries `Connection: close`, so a client holding a keep-alive connection opens its next
 * one elsewhere (the balancer sends it to another instance) instead of reusing this one.
 */
export function trackRequests(server: Server | Http2Server | Http2SecureServer): RequestTracker {
  let inFlight = 0;
  let isDraining = false;
  const waiters = new Set<() => void>();
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    inFlight++;
    if (isDraining && !response.headersSent) response.setHeader('Connection', 'close');
    response.once('close', () => {
      inFlight--;
      if (inFlight === 0) for (const wake of waiters) wake();
    });
  });
  return {
    inFlight: () => inFlight,
    drain(timeoutMs) {
      isDraining = true;
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (isDrained: boolean) => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(isDrained);
        };
        const wake = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        waiters.add(wake);
      });
    },
  };
}

/** What a graceful stop closes, in order. */
export interface ShutdownParts {
  readonly server: Server | Http2Server | Http2SecureServer;
  readonly requests: RequestTracker;
  readonly readiness: Readiness;
  /** Closes realtime sockets with a reason and stops the change feed. */
  readonly stopRealtime: () => Promise<void>;
  /**
   * Stops timers and sweeps without ending calls (another instance's sweep takes them over) and
   * finishes provider requests already under way; resolves before the database is closed.
   */
  readonly stopBackgroundWork: () => Promise<void> | void;
  readonly closeDatabase: () => Promise<void>;
  readonly logger: Logger;
  readonly delayMs: number;
  readonly drainTimeoutMs?: number;
}

/**
 * The stop of a rolling restart: not ready at once; after the delay no new connections; the
 * requests in flight finished (cut after the drain timeout); each realtime socket closed with
 * 1012; demo-call timers stopped, the calls left running for another instance; the database
 * closed. Resolves with the exit code: 0 when everything finished, 1 when something was cut.
 * `skipDelay` ends the delay early (a second signal).
 */
export function createGracefulShutdown(parts: ShutdownParts): { run(signal: string): Promise<number>; skipDelay(): void } {
  const { server, requests, readiness, logger } = parts;
  const drainTimeoutMs = parts.drainTimeoutMs ?? DRAIN_TIMEOUT_MS;
  let endDelay: (() => void) | undefined;
  let running: Promise<number> | undefined;

  async function stop(signal: string): Promise<number> {
    readiness.markShuttingDown();
    logger.info({ signal, delayMs: parts.delayMs, inFlight: requests.inFlight() }, 'shutting down: not ready');
    if (parts.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, parts.delayMs);
        endDelay = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    endDelay = undefined;
    let exitCode = 0;
    // No new connections; idle keep-alive ones are closed now, busy ones after their response.
    server.close();
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    const [isDrained] = await Promise.all([requests.drain(drainTimeoutMs), parts.stopRealtime().catch((error: unknown) => logger.error({ err: error }, 'could not stop realtime cleanly'))]);
    if (!isDrained) {
      exitCode = 1;
      logger.warn({ inFlight: requests.inFlight(), drainTimeoutMs }, 'requests still in flight after the drain timeout: cutting them');
      if ('closeAllConnections' in server) server.closeAllConnections();
    }
    try {
      await parts.stopBackgroundWork();
    } catch (error) {
      logger.error({ err: error }, 'could not stop background work cleanly');
    }
    try {
      await parts.closeDatabase();
    } catch (error) {
      exitCode = 1;
      logger.error({ err: error }, 'could not close the database cleanly');
    }
    logger.info({ exitCode }, 'stopped');
    return exitCode;
  }

  return {
    run(signal) {
      running ??= stop(signal);
      return running;
    },
    skipDelay() {
      endDelay?.();
    },
  };
}

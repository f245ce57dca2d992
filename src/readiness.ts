import type { Logger } from 'pino';
import type { Database } from './db/database.js';

/**
 * How long `/ready` waits for each check. A balancer polls every few seconds; a database that
 * takes longer than this to answer `select 1` is, for new traffic, not there.
 */
export const READY_CHECK_TIMEOUT_MS = 1_000;

/** What `/ready` checks, in order; the first that fails is named in the answer. */
export const READINESS_CHECKS = ['shutting_down', 'database', 'migrations', 'change_capture'] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];

export type ReadinessReport =
  | { readonly status: 'ready'; readonly checks: Readonly<Record<Exclude<ReadinessCheck, 'shutting_down'>, 'ok'>> }
  | { readonly status: 'not_ready'; readonly failed: ReadinessCheck; readonly message: string };

export interface Readiness {
  check(): Promise<ReadinessReport>;
  /** From now on every check answers not ready (SIGTERM): the balancer stops sending new work. */
  markShuttingDown(): void;
  isShuttingDown(): boolean;
}

class CheckTimeout extends Error {}

/** Resolves as `work` does, or rejects after `ms`; `work` left running is never an unhandled rejection. */
async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => {});
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness for a load balancer: the database answers, every migration this build needs is
 * applied, and the realtime change feed receives what the database announces. Causes are
 * logged, never sent (STYLE 11).
 */
export function createReadiness({
  db,
  expectedMigrations,
  checkCapture,
  logger,
  timeoutMs = READY_CHECK_TIMEOUT_MS,
}: {
  db: Database;
  expectedMigrations: readonly string[];
  /** True when the change feed's LISTEN is up and delivering (see RealtimeServer.checkCapture). */
  checkCapture: (timeoutMs: number) => Promise<boolean>;
  logger: Logger;
  timeoutMs?: number;
}): Readiness {
  let isShuttingDown = false;

  const notReady = (failed: ReadinessCheck, message: string, cause?: unknown): ReadinessReport => {
    if (cause !== undefined) logger.warn({ err: cause, failed }, 'not ready');
    return { status: 'not_ready', failed, message };
  };

  return {
    async check() {
      if (isShuttingDown) return notReady('shutting_down', 'This instance is shutting down: send new work to another one.');
      let applied: Set<string>;
      try {
        await withTimeout(db.sql`select 1`, timeoutMs);
      } catch (error) {
        const why = error instanceof CheckTimeout ? `did not answer within ${timeoutMs} ms` : 'refused the query or the connection';
        return notReady('database', `The database ${why}.`, error);
      }
      try {
        const rows = await withTimeout(db.sql<{ name: string }>`select name from schema_migrations`, timeoutMs);
        applied = new Set(rows.map((row) => row.name));
      } catch (error) {
        return notReady('migrations', 'The applied migrations could not be read.', error);
      }
      const missing = expectedMigrations.filter((name) => !applied.has(name));
      if (missing.length > 0) return notReady('migrations', `${missing.length} migration(s) not applied: ${missing.join(', ')}.`);
      const isCapturing = await withTimeout(checkCapture(timeoutMs), timeoutMs * 2).catch(() => false);
      if (!isCapturing) return notReady('change_capture', 'The realtime change feed is not receiving changes from the database.');
      return { status: 'ready', checks: { database: 'ok', migrations: 'ok', change_capture: 'ok' } };
    },
    markShuttingDown() {
      isShuttingDown = true;
    },
    isShuttingDown: () => isShuttingDown,
  };
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Database } from './db/database.js';
import { openPglite } from './db/pglite.js';
import { migrate } from './db/migrate.js';
import { listMigrationNames } from './db/migrate.js';
import { createReadiness } from './readiness.js';
import { findProductionStartProblem } from './production-start.js';

const logger = pino({ level: 'silent' });

async function migratedPglite(): Promise<Database> {
  const db = await openPglite();
  await migrate(db);
  return db;
}

describe('readiness (/ready)', () => {
  it('ready when the database answers, every migration is applied and change capture hears', async () => {
    const db = await migratedPglite();
    try {
      const readiness = createReadiness({ db, expectedMigrations: await listMigrationNames(), checkCapture: async () => true, logger });
      expect(await readiness.check()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', change_capture: 'ok' } });
      readiness.markShuttingDown();
      expect(await readiness.check()).toMatchObject({ status: 'not_ready', failed: 'shutting_down' });
    } finally {
      await db.close();
    }
  });

  it('names the first check that fails: a migration this build needs, then change capture', async () => {
    const db = await migratedPglite();
    try {
      const names = await listMigrationNames();
      const missing = createReadiness({ db, expectedMigrations: [...names, '9999_from_a_newer_build.sql'], checkCapture: async () => true, logger });
      expect(await missing.check()).toMatchObject({ status: 'not_ready', failed: 'migrations', message: expect.stringContaining('9999_from_a_newer_build.sql') });
      const deaf = createReadiness({ db, expectedMigrations: names, checkCapture: async () => false, logger });
      expect(await deaf.check()).toMatchObject({ status: 'not_ready', failed: 'change_capture' });
    } finally {
      await db.close();
    }
  });

  it('a database that does not answer within the timeout is not ready, and the cause is not sent', async () => {
    const hanging = { sql: () => new Promise(() => {}) } as unknown as Database;
    const failing = { sql: () => Promise.reject(new Error('password authentication failed for user "dialer"')) } as unknown as Database;
    const cases = [
      [hanging, 'The database did not answer within 50 ms.'],
      [failing, 'The database refused the query or the connection.'],
    ] as const;
    for (const [db, message] of cases) {
      const readiness = createReadiness({ db, expectedMigrations: [], checkCapture: async () => true, logger, timeoutMs: 50 });
      expect(await readiness.check()).toEqual({ status: 'not_ready', failed: 'database', message });
    }
  });
});

describe('production start (NODE_ENV=production)', () => {
  it('refuses without a built web app, and with DATABASE_URL but no shared JWT_SECRET', async () => {
    const webRoot = await mkdtemp(join(tmpdir(), 'dialer-web-'));
    try {
      expect(await findProductionStartProblem({ env: {}, webRoot })).toMatch(/web app is not built.*npm run build/);
      await writeFile(join(webRoot, 'index.html'), '<!doctype html>');
      expect(await findProductionStartProblem({ env: {}, webRoot })).toBeUndefined();
      expect(await findProductionStartProblem({ env: { DATABASE_URL: 'postgres://db/dialer' }, webRoot })).toMatch(/JWT_SECRET is not set/);
      expect(await findProductionStartProblem({ env: { DATABASE_URL: 'postgres://db/dialer', JWT_SECRET: 'x'.repeat(48) }, webRoot })).toBeUndefined();
    } finally {
      await rm(webRoot, { recursive: true, force: true });
    }
  });
});

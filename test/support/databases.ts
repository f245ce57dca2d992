import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { openPglite, snapshotPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';

/**
 * `postgres` is the test server as it is: with `wal_level = logical` (as `.ci/run` sets it) realtime
 * captures changes there by logical decoding. `postgres-notify` is a database on the same server
 * set to keep triggers and NOTIFY (`dialer.change_capture = 'notify'`), the capture PGlite uses too.
 */
export type DatabaseKind = 'pglite' | 'postgres' | 'postgres-notify';

function isDatabaseKind(kind: string): kind is DatabaseKind {
  return kind === 'pglite' || kind === 'postgres' || kind === 'postgres-notify';
}

const REQUESTED_KINDS = (process.env.TEST_DATABASES ?? 'pglite,postgres')
  .split(',')
  .map((kind) => kind.trim())
  .filter(isDatabaseKind);

/** The matrix every database test runs over (STYLE 17); `TEST_DATABASES=pglite` narrows it. */
export const DATABASE_KINDS: readonly DatabaseKind[] = REQUESTED_KINDS.filter((kind) => kind !== 'postgres-notify');

/**
 * The matrix realtime tests run over (RT2): every capture. PostgreSQL runs twice, with logical
 * capture and with NOTIFY capture; only realtime tests pay for the second run.
 */
export const REALTIME_DATABASE_KINDS: readonly DatabaseKind[] = [
  ...new Set<DatabaseKind>(REQUESTED_KINDS.flatMap((kind) => (kind === 'postgres' ? ['postgres', 'postgres-notify'] : [kind]))),
];

/** The realtime kinds on a PostgreSQL server, for tests that run several server processes. */
export const REALTIME_POSTGRES_KINDS: readonly DatabaseKind[] = REALTIME_DATABASE_KINDS.filter((kind) => kind !== 'pglite');

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly db: Database;
  /** Set for real PostgreSQL: another process can connect to the same fresh database. */
  readonly url: string | undefined;
  dispose(): Promise<void>;
}

/** A fresh, empty database of the given kind: in-memory PGlite, or a new database on the server. */
export async function createEmptyDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openPglite();
    return { db, url: undefined, dispose: () => db.close() };
  }
  const name = `dialer_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  // Before anyone connects: the setting applies to sessions that start afterwards.
  if (kind === 'postgres-notify') await admin.unsafe(`alter database ${name} set dialer.change_capture = 'notify'`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = openPostgres(url.toString());
  return {
    db,
    url: url.toString(),
    dispose: async () => {
      await db.close();
      await dropReplicationSlots(admin, name);
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * A temporary slot goes when its connection's backend exits, which may be just after a server
 * process was killed; DROP DATABASE refuses while a slot is there, and FORCE does not end it.
 */
async function dropReplicationSlots(admin: postgres.Sql, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const slots = await admin<{ pid: number | null }[]>`select active_pid as pid from pg_replication_slots where database = ${name}`;
    if (slots.length === 0) return;
    for (const { pid } of slots) if (pid !== null) await admin`select pg_terminate_backend(${pid})`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let migratedPglite: Promise<Blob> | undefined;

/** A fresh database with every migration applied (PGlite: a copy of one migrated once per test worker). */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    migratedPglite ??= snapshotPglite(async (db) => {
      await migrate(db);
    });
    const db = await openPglite(undefined, await migratedPglite);
    return { db, url: undefined, dispose: () => db.close() };
  }
  const testDb = await createEmptyDatabase(kind);
  await migrate(testDb.db);
  return testDb;
}

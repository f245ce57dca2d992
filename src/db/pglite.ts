import { PGlite, type Transaction } from '@electric-sql/pglite';
import { createInFlightCounter, withSqlTag, type Database, type Queryable } from './database.js';

const untracked = <T>(work: () => Promise<T>) => work();

function wrap(target: PGlite | Transaction, track: <T>(work: () => Promise<T>) => Promise<T> = untracked): Queryable {
  return withSqlTag(
    (text, params) => track(async () => (await target.query(text, params ? [...params] : [])).rows as never),
    (script) =>
      track(async () => {
        await target.exec(script);
      }),
  );
}

/**
 * Embedded Postgres. PGlite has a single connection; its `transaction` holds that connection
 * for the whole transaction, so concurrent transactions are serialised here and nowhere else.
 * `dataDir` undefined keeps everything in memory (tests); `snapshot` (from `snapshotPglite`)
 * starts an in-memory database as a copy of another.
 */
export async function openPglite(dataDir?: string, snapshot?: Blob): Promise<Database> {
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(snapshot ? { loadDataDir: snapshot } : {}) });
  return wrapPglite(db);
}

/**
 * An uncompressed copy of a fresh in-memory database after `prepare` ran on it (for tests,
 * which start many databases with every migration applied: a copy opens in a fraction of the
 * time the migrations take).
 */
export async function snapshotPglite(prepare: (db: Database) => Promise<void>): Promise<Blob> {
  const pglite = await PGlite.create();
  try {
    await prepare(wrapPglite(pglite));
    return await pglite.dumpDataDir('none');
  } finally {
    await pglite.close();
  }
}

function wrapPglite(db: PGlite): Database {
  const inFlight = createInFlightCounter();
  return {
    kind: 'pglite',
    ...wrap(db, inFlight.track),
    transaction: (work) => inFlight.track(() => db.transaction((tx) => work(wrap(tx)))),
    listen: async (channel, onPayload) => {
      const stop = await db.listen(channel, onPayload);
      return async () => {
        await stop();
      };
    },
    close: () => db.close(),
    stats: () => ({ maxConnections: 1, inFlight: inFlight.count() }),
  };
}

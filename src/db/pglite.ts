import { PGlite, type Transaction } from '@electric-sql/pglite';
import { withSqlTag, type Database, type Queryable } from './database.js';

function wrap(target: PGlite | Transaction): Queryable {
  return withSqlTag(
    async (text, params) => (await target.query(text, params ? [...params] : [])).rows as never,
    async (script) => {
      await target.exec(script);
    },
  );
}

/**
 * Embedded Postgres. PGlite has a single connection; its `transaction` holds that connection
 * for the whole transaction, so concurrent transactions are serialised here and nowhere else.
 * `dataDir` undefined keeps everything in memory (tests).
 */
export async function openPglite(dataDir?: string): Promise<Database> {
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    listen: async (channel, onPayload) => {
      const stop = await db.listen(channel, onPayload);
      return async () => {
        await stop();
      };
    },
    close: () => db.close(),
  };
}

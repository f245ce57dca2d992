import postgres from 'postgres';
import { withSqlTag, type Database, type Queryable } from './database.js';

type Connection = postgres.Sql | postgres.TransactionSql;

function wrap(connection: Connection): Queryable {
  return withSqlTag(
    async (text, params) => [...(await connection.unsafe(text, (params ?? []) as postgres.ParameterOrJSON<never>[]))] as never,
    async (script) => {
      await connection.unsafe(script);
    },
  );
}

/** A real PostgreSQL server through postgres.js. */
export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { application_name: 'dialer' },
  });
  return {
    kind: 'postgres',
    ...wrap(sql),
    transaction: async (work) => (await sql.begin((tx) => work(wrap(tx)))) as never,
    listen: async (channel, onPayload) => {
      const { unlisten } = await sql.listen(channel, onPayload);
      return unlisten;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

import postgres from 'postgres';
import { startLogicalReplication } from './logical-replication.js';
import { createInFlightCounter, withSqlTag, type Database, type Queryable } from './database.js';

type Connection = postgres.Sql | postgres.TransactionSql;

const untracked = <T>(work: () => Promise<T>) => work();

function wrap(connection: Connection, track: <T>(work: () => Promise<T>) => Promise<T> = untracked): Queryable {
  return withSqlTag(
    (text, params) => track(async () => [...(await connection.unsafe(text, (params ?? []) as postgres.ParameterOrJSON<never>[]))] as never),
    (script) =>
      track(async () => {
        await connection.unsafe(script);
      }),
  );
}

/** A real PostgreSQL server through postgres.js. */
export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const maxConnections = options.max ?? 10;
  // postgres.js keeps its pool's state to itself, so use is counted here, per operation.
  const inFlight = createInFlightCounter();
  const sql = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { application_name: 'dialer' },
  });
  return {
    kind: 'postgres',
    ...wrap(sql, inFlight.track),
    transaction: (work) => inFlight.track(async () => (await sql.begin((tx) => work(wrap(tx)))) as never),
    listen: async (channel, onPayload) => {
      const { unlisten } = await sql.listen(channel, onPayload);
      return unlisten;
    },
    replicate: (publication, handlers) => startLogicalReplication(url, publication, handlers),
    close: () => sql.end({ timeout: 5 }),
    stats: () => ({ maxConnections, inFlight: inFlight.count() }),
  };
}

import type { LogicalReplication, ReplicationHandlers } from './logical-replication.js';

/** The one database port (STYLE 3): the subset of SQL access the app uses, on PGlite or PostgreSQL. */
export type Row = Record<string, unknown>;

export interface Queryable {
  /**
   * A parameterised statement; values never reach SQL as text. Pass JSON as a string and cast
   * it `$n::text::jsonb`: postgres.js would encode a string sent straight to jsonb a second time.
   */
  query<T extends object = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Tagged-template form of `query`: every `${value}` becomes a `$n` parameter. */
  sql<T extends object = Row>(strings: TemplateStringsArray, ...values: readonly unknown[]): Promise<T[]>;
  /** A script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves once listening, returns the function that stops it. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Streams a publication's changes by logical replication, from a temporary slot of its own
   * (see startLogicalReplication). PostgreSQL only: PGlite cannot replicate and has no such method.
   */
  replicate?(publication: string, handlers: ReplicationHandlers): Promise<LogicalReplication>;
  close(): Promise<void>;
  /** Pool use, for metrics. */
  stats?(): DatabaseStats;
}

export interface DatabaseStats {
  /** Connections the client may open (PGlite has one; LISTEN's own connection not counted). */
  readonly maxConnections: number;
  /** Queries and transactions started and not yet finished: running, or waiting for a connection. */
  readonly inFlight: number;
}

/** Counts operations in flight; a backend wraps its top-level queries and transactions in `track`. */
export function createInFlightCounter(): { track<T>(work: () => Promise<T>): Promise<T>; count(): number } {
  let inFlight = 0;
  return {
    async track(work) {
      inFlight += 1;
      try {
        return await work();
      } finally {
        inFlight -= 1;
      }
    },
    count: () => inFlight,
  };
}

/** Turns a tagged template into `$1…$n` text and its parameter list. */
export function toParameterised(strings: TemplateStringsArray, values: readonly unknown[]): { text: string; params: unknown[] } {
  let text = strings[0] ?? '';
  for (let index = 0; index < values.length; index++) text += `$${index + 1}${strings[index + 1] ?? ''}`;
  return { text, params: values.map((value) => (value === undefined ? null : value)) };
}

/** Builds the `sql` tag from a `query` function, so each backend writes only `query`. */
export function withSqlTag(query: Queryable['query'], exec: Queryable['exec']): Queryable {
  return {
    query,
    exec,
    sql: (strings, ...values) => {
      const { text, params } = toParameterised(strings, values);
      return query(text, params);
    },
  };
}

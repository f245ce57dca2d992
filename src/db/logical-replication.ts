import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import postgres from 'postgres';

/**
 * A row as logical decoding sends it: each value in the column type's text form, `null`, or
 * `undefined` for a large (TOASTed) value an UPDATE left unchanged, which is then only in the old row.
 */
export type ReplicatedRow = Readonly<Record<string, string | null | undefined>>;

export interface ReplicatedChange {
  readonly schema: string;
  readonly table: string;
  readonly type: 'INSERT' | 'UPDATE' | 'DELETE';
  readonly record: ReplicatedRow | null;
  /** The old row of an UPDATE or DELETE, whole under REPLICA IDENTITY FULL. */
  readonly oldRecord: ReplicatedRow | null;
}

/** One committed transaction's changes to the published tables, in the order they were made. */
export interface ReplicatedTransaction {
  /** The commit time, ISO 8601 in UTC to the microsecond (`2026-01-31T09:30:00.123456Z`). */
  readonly commitTimestamp: string;
  readonly changes: readonly ReplicatedChange[];
}

export interface ReplicationHandlers {
  /** Called once per committed transaction, in commit order. */
  onTransaction(transaction: ReplicatedTransaction): void;
  /** The replication connection was lost: nothing more arrives. Called at most once, never after `stop`. */
  onLost(error: unknown): void;
}

export interface LogicalReplication {
  readonly slot: string;
  stop(): Promise<void>;
}

/** How often the consumer confirms what it has received, so the server can recycle the WAL. */
const STATUS_INTERVAL_MS = 10_000;
/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;

interface Relation {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly string[];
}

/** Formats PostgreSQL's microseconds since 2000 as ISO 8601 in UTC, keeping the microseconds. */
export function formatPostgresTimestamp(micros: bigint): string {
  const unixMicros = micros + POSTGRES_EPOCH_MICROS;
  const iso = new Date(Number(unixMicros / 1000n)).toISOString();
  return `${iso.slice(0, 23)}${String(unixMicros % 1000n).padStart(3, '0')}Z`;
}

function readCString(buffer: Buffer, offset: number): { value: string; next: number } {
  const end = buffer.indexOf(0, offset);
  return { value: buffer.toString('utf8', offset, end), next: end + 1 };
}

function readTuple(buffer: Buffer, offset: number, columns: readonly string[]): { row: ReplicatedRow; next: number } {
  const count = buffer.readUInt16BE(offset);
  let at = offset + 2;
  const row: Record<string, string | null | undefined> = {};
  for (let index = 0; index < count; index++) {
    const kind = buffer[at++];
    const name = columns[index] ?? `column_${index}`;
    if (kind === 0x6e /* n */) row[name] = null;
    else if (kind === 0x75 /* u */) row[name] = undefined;
    else {
      const length = buffer.readUInt32BE(at);
      row[name] = buffer.toString('utf8', at + 4, at + 4 + length);
      at += 4 + length;
    }
  }
  return { row, next: at };
}

/**
 * Decodes pgoutput (protocol version 1) messages: relations are remembered, row changes are
 * collected between Begin and Commit and handed over whole at Commit.
 */
function createPgoutputDecoder(onTransaction: (transaction: ReplicatedTransaction) => void) {
  const relations = new Map<number, Relation>();
  let open: { commitTimestamp: string; changes: ReplicatedChange[] } | undefined;

  function relationOf(message: Buffer): Relation {
    const relation = relations.get(message.readUInt32BE(1));
    if (!relation) throw new Error('pgoutput: a row change for a relation that was never described');
    return relation;
  }

  function add(change: ReplicatedChange): void {
    if (!open) throw new Error('pgoutput: a row change outside a transaction');
    open.changes.push(change);
  }

  return {
    isInTransaction: () => open !== undefined,
    /** Returns the commit's end LSN after a Commit, so the caller can confirm it. */
    decode(message: Buffer): bigint | undefined {
      switch (message[0]) {
        case 0x42 /* B */:
          open = { commitTimestamp: formatPostgresTimestamp(message.readBigInt64BE(9)), changes: [] };
          return undefined;
        case 0x43 /* C */: {
          const transaction = open;
          open = undefined;
          if (transaction && transaction.changes.length > 0) onTransaction(transaction);
          return message.readBigUInt64BE(10);
        }
        case 0x52 /* R */: {
          const id = message.readUInt32BE(1);
          const schema = readCString(message, 5);
          const table = readCString(message, schema.next);
          // Then the replica identity setting (1 byte) and the column count.
          const count = message.readUInt16BE(table.next + 1);
          let at = table.next + 3;
          const columns: string[] = [];
          for (let index = 0; index < count; index++) {
            const name = readCString(message, at + 1);
            columns.push(name.value);
            at = name.next + 8; // type oid and type modifier
          }
          relations.set(id, { schema: schema.value || 'pg_catalog', table: table.value, columns });
          return undefined;
        }
        case 0x49 /* I */: {
          const relation = relationOf(message);
          const { row } = readTuple(message, 6, relation.columns);
          add({ schema: relation.schema, table: relation.table, type: 'INSERT', record: row, oldRecord: null });
          return undefined;
        }
        case 0x55 /* U */: {
          const relation = relationOf(message);
          let at = 5;
          let oldRecord: ReplicatedRow | null = null;
          if (message[at] === 0x4b /* K */ || message[at] === 0x4f /* O */) {
            const old = readTuple(message, at + 1, relation.columns);
            oldRecord = old.row;
            at = old.next;
          }
          const { row } = readTuple(message, at + 1, relation.columns);
          add({ schema: relation.schema, table: relation.table, type: 'UPDATE', record: row, oldRecord });
          return undefined;
        }
        case 0x44 /* D */: {
          const relation = relationOf(message);
          const { row } = readTuple(message, 6, relation.columns);
          add({ schema: relation.schema, table: relation.table, type: 'DELETE', record: null, oldRecord: row });
          return undefined;
        }
        case undefined:
        default:
          // Type, Origin, Truncate: nothing a subscriber is sent.
          return undefined;
      }
    },
  };
}

/**
 * Streams the changes of `publication` by logical replication (pgoutput) over a connection of
 * its own, from a TEMPORARY slot: PostgreSQL drops the slot when that connection ends, so a
 * process that crashes leaves no slot holding WAL. The slot starts at the moment it is created;
 * nothing committed before is sent. A lost connection is reported once (`onLost`) and not
 * retried here: changes committed until a new slot exists are never sent, which the caller
 * must tell its clients.
 *
 * postgres.js speaks the replication protocol; its own `subscribe` is not used because it
 * gives no commit time, parses values with its own parsers (timestamps lose their
 * microseconds), and a failed reconnect there is an unhandled rejection.
 */
export async function startLogicalReplication(url: string, publication: string, handlers: ReplicationHandlers): Promise<LogicalReplication> {
  if (!/^[a-z_][a-z0-9_]*$/.test(publication)) throw new Error(`Invalid publication name: ${publication}`);
  const slot = `dialer_${randomBytes(8).toString('hex')}`;
  let isStopping = false;
  let isLost = false;
  let stream: Duplex | undefined;

  const sql = postgres(url, {
    max: 1,
    fetch_types: false,
    prepare: false,
    max_lifetime: null,
    connect_timeout: 10,
    onnotice: () => {},
    // A replication connection; DateStyle ISO keeps the values' text forms fixed.
    connection: { application_name: 'dialer realtime', replication: 'database', DateStyle: 'ISO' },
    onclose: () => lose(new Error('the replication connection closed')),
  });

  function lose(error: unknown): void {
    if (isStopping || isLost) return;
    isLost = true;
    clearInterval(statusTimer);
    stream?.destroy();
    void sql.end({ timeout: 0 }).catch(() => {});
    handlers.onLost(error);
  }

  // Confirms progress now and then; sends nothing until the stream is up.
  const statusTimer = setInterval(() => sendStatus(), STATUS_INTERVAL_MS);
  statusTimer.unref();

  // The last position whose changes were all handed over: confirmed to the server.
  let confirmed = 0n;
  const decoder = createPgoutputDecoder(handlers.onTransaction);

  function sendStatus(): void {
    if (!stream || isLost) return;
    const status = Buffer.alloc(34);
    status[0] = 0x72; // r: written, flushed and applied up to `confirmed`
    status.writeBigUInt64BE(confirmed, 1);
    status.writeBigUInt64BE(confirmed, 9);
    status.writeBigUInt64BE(confirmed, 17);
    status.writeBigInt64BE(BigInt(Date.now()) * 1000n - POSTGRES_EPOCH_MICROS, 25);
    stream.write(status);
  }

  function receive(chunk: Buffer): void {
    if (chunk[0] === 0x77 /* w: XLogData */) {
      const end = decoder.decode(chunk.subarray(25));
      if (end !== undefined && end > confirmed) confirmed = end;
    } else if (chunk[0] === 0x6b /* k: keepalive */) {
      const walEnd = chunk.readBigUInt64BE(1);
      // Between transactions everything up to the server's end has been seen.
      if (!decoder.isInTransaction() && walEnd > confirmed) confirmed = walEnd;
      if (chunk[17]) sendStatus();
    }
  }

  try {
    const [created] = await sql.unsafe<Array<{ consistent_point: string }>>(`CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
    if (!created) throw new Error('CREATE_REPLICATION_SLOT returned nothing');
    stream = (await sql
      .unsafe(`START_REPLICATION SLOT ${slot} LOGICAL ${created.consistent_point} (proto_version '1', publication_names '${publication}')`)
      .writable()) as unknown as Duplex;
  } catch (error) {
    isStopping = true;
    clearInterval(statusTimer);
    await sql.end({ timeout: 0 }).catch(() => {});
    throw error;
  }
  stream.on('data', (chunk: Buffer) => {
    try {
      receive(chunk);
    } catch (error) {
      lose(error);
    }
  });
  stream.on('error', (error) => lose(error));
  stream.on('close', () => lose(new Error('the replication stream ended')));

  return {
    slot,
    async stop() {
      if (isStopping) return;
      isStopping = true;
      clearInterval(statusTimer);
      const ended = stream && !isLost ? new Promise((resolve) => stream?.once('close', resolve)) : undefined;
      stream?.end();
      // The server answers the client's CopyDone by ending the stream; do not wait for long.
      if (ended) await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      await sql.end({ timeout: 1 }).catch(() => {});
    },
  };
}

import type { Logger } from 'pino';
import type { Database, Row } from '../db/database.js';
import type { ReplicatedChange, ReplicatedRow } from '../db/logical-replication.js';
import { isRealtimeTable, TABLE_KEYS, type RealtimeCatalog, type RealtimeTable } from './catalog.js';

export const CHANGE_CHANNEL = 'dialer_changes';
/** What logical capture streams (migration 0010): the realtime tables and the probes. */
export const CAPTURE_PUBLICATION = 'dialer_realtime';
/** Readiness probes are rows of this table (migration 0010): they travel the path changes take. */
export const PROBE_TABLE = { schema: 'realtime_capture', table: 'probes' } as const;

/**
 * How committed changes reach the server: `logical`, logical decoding of the WAL (PostgreSQL with
 * `wal_level = logical`); `notify`, the triggers of migration 0005 and NOTIFY (PGlite, or a server
 * without logical WAL). The database decides (`dialer_change_capture()`), so every process on it agrees.
 */
export type ChangeCapture = 'logical' | 'notify';

export function describeChangeCapture(capture: ChangeCapture): string {
  return capture === 'logical'
    ? `logical decoding (publication ${CAPTURE_PUBLICATION}, a temporary replication slot per process)`
    : 'triggers and NOTIFY';
}

/**
 * The capture this database uses. Under logical capture the NOTIFY triggers do not fire, so a
 * role that may not replicate is an error, not a quiet fallback that would deliver nothing.
 */
export async function chooseChangeCapture(db: Database): Promise<ChangeCapture> {
  if (!db.replicate) return 'notify';
  const [row] = await db.sql<{ capture: string; can_replicate: boolean }>`
    select dialer_change_capture() as capture,
      (select rolsuper or rolreplication from pg_roles where rolname = current_user) as can_replicate`;
  if (row?.capture !== 'logical') return 'notify';
  if (!row.can_replicate) {
    throw new Error(
      'The database has wal_level=logical, so realtime captures changes by logical replication, but this role may not replicate: ' +
        "grant it REPLICATION (alter role <name> replication), or keep NOTIFY capture (alter database <name> set dialer.change_capture = 'notify').",
    );
  }
  return 'logical';
}

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';

export interface TableChange {
  readonly schema: 'public';
  readonly table: RealtimeTable;
  readonly type: ChangeType;
  readonly commitTimestamp: string;
  readonly record: Row | null;
  readonly oldRecord: Row | null;
}

export interface ChangeFeedHandlers {
  /** Each committed change of a realtime table, in commit order. */
  onChange(change: TableChange): void;
  /** A probe row came back: `process:probe`. */
  onProbe(probe: string): void;
  /** The feed stopped hearing the database and will not recover by itself (logical capture). */
  onLost(error: unknown): void;
}

interface Announcement {
  schema: string;
  table: string;
  type: string;
  commit_timestamp: string;
  record?: Row | null;
  old_record?: Row | null;
  /** Present when the row was too large for NOTIFY: read it back by this key. */
  key?: Row;
  owner?: string;
  /** The row's workspace, with `key` (migration 0012). */
  workspace?: string;
}

function isProbe(schema: string, table: string): boolean {
  return schema === PROBE_TABLE.schema && table === PROBE_TABLE.table;
}

function probeOf(row: Row | ReplicatedRow | null | undefined): string | undefined {
  if (!row) return undefined;
  const process = row['process'];
  const probe = row['probe'];
  return process === undefined || probe === undefined ? undefined : `${String(process)}:${String(probe)}`;
}

function isChangeType(value: string): value is ChangeType {
  return value === 'INSERT' || value === 'UPDATE' || value === 'DELETE';
}

/**
 * Starts the capture's feed and hands each committed change, in commit order, to `onChange`.
 * Returns the function that stops it.
 */
export async function startChangeFeed({
  db,
  capture,
  catalog,
  logger,
  handlers,
}: {
  db: Database;
  capture: ChangeCapture;
  catalog: RealtimeCatalog;
  logger: Logger;
  handlers: ChangeFeedHandlers;
}): Promise<() => Promise<void>> {
  if (capture === 'notify') return startNotifyFeed(db, logger, handlers);
  if (!db.replicate) throw new Error('This database cannot replicate: use NOTIFY capture.');
  const replication = await db.replicate(CAPTURE_PUBLICATION, {
    onTransaction: ({ commitTimestamp, changes }) => {
      for (const change of changes) {
        if (isProbe(change.schema, change.table)) {
          const probe = probeOf(change.record);
          if (probe) handlers.onProbe(probe);
          continue;
        }
        const tableChange = readReplicatedChange(change, commitTimestamp, catalog);
        if (tableChange) handlers.onChange(tableChange);
      }
    },
    onLost: handlers.onLost,
  });
  logger.debug({ slot: replication.slot }, 'realtime: logical replication started');
  return () => replication.stop();
}

/** A replicated row in the JSON form to_jsonb gives, as the NOTIFY triggers send it. */
function readReplicatedChange(change: ReplicatedChange, commitTimestamp: string, catalog: RealtimeCatalog): TableChange | undefined {
  const { schema, table, type } = change;
  if (schema !== 'public' || !isRealtimeTable(table)) return undefined;
  const columns = catalog.get(table);
  const toRow = (row: ReplicatedRow | null, unchangedFrom?: ReplicatedRow | null): Row | null => {
    if (!row) return null;
    const json: Row = {};
    for (const [name, text] of Object.entries(row)) {
      // A large value an UPDATE left alone is sent only in the old row (REPLICA IDENTITY FULL).
      const value = text === undefined ? unchangedFrom?.[name] : text;
      if (value !== undefined) json[name] = toJsonValue(columns?.get(name), value);
    }
    return json;
  };
  return { schema: 'public', table, type, commitTimestamp, record: toRow(change.record, change.oldRecord), oldRecord: toRow(change.oldRecord) };
}

/** A column's text form as to_jsonb writes the value (numbers, booleans, JSON, ISO timestamps). */
export function toJsonValue(type: string | undefined, text: string | null): unknown {
  if (text === null) return null;
  switch (type) {
    case 'bool':
      return text === 't';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'numeric': {
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    case 'json':
    case 'jsonb':
      return JSON.parse(text) as unknown;
    case 'timestamptz':
    case 'timestamp':
      // `2026-01-31 09:30:00.123456+02` (DateStyle ISO) as `2026-01-31T09:30:00.123456+02:00`.
      return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
    case undefined:
    default:
      return text;
  }
}

/** Listens to the triggers' announcements (migration 0005) on the change channel. */
async function startNotifyFeed(db: Database, logger: Logger, handlers: ChangeFeedHandlers): Promise<() => Promise<void>> {
  // Announcements are handled one after another: a large row read back from the database
  // must not be overtaken by the changes committed after it.
  let queue: Promise<void> = Promise.resolve();

  async function readAnnouncement(announcement: Announcement): Promise<TableChange | undefined> {
    const { table, type } = announcement;
    if (announcement.schema !== 'public' || !isRealtimeTable(table) || !isChangeType(type)) return undefined;
    let { record = null, old_record: oldRecord = null } = announcement;
    if (announcement.key) {
      const keyColumn = TABLE_KEYS[table];
      const [row] = await db.query<Row>(`select * from ${table} where ${keyColumn} = $1`, [announcement.key[keyColumn]]);
      const known = { ...announcement.key, user_email: announcement.owner, workspace_id: announcement.workspace };
      record = type === 'DELETE' ? null : (toJsonRow(row) ?? known);
      oldRecord = type === 'INSERT' ? null : known;
    }
    return { schema: 'public', table, type, commitTimestamp: announcement.commit_timestamp, record, oldRecord };
  }

  return db.listen(CHANGE_CHANNEL, (payload) => {
    queue = queue
      .then(async () => {
        const announcement = JSON.parse(payload) as Announcement;
        if (isProbe(announcement.schema, announcement.table)) {
          const probe = probeOf(announcement.record);
          if (probe) handlers.onProbe(probe);
          return;
        }
        const change = await readAnnouncement(announcement);
        if (change) handlers.onChange(change);
      })
      .catch((error: unknown) => logger.error({ err: error }, 'could not deliver a change'));
  });
}

/** A row read by a driver, in the JSON form the database's to_jsonb gives (timestamps as ISO text). */
function toJsonRow(row: Row | undefined): Row | undefined {
  if (!row) return undefined;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));
}

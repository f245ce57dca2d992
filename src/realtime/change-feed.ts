import type { Logger } from 'pino';
import type { Database, Row } from '../db/database.js';
import { isRealtimeTable, TABLE_KEYS, type RealtimeTable } from './catalog.js';

export const CHANGE_CHANNEL = 'dialer_changes';

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';

export interface TableChange {
  readonly schema: 'public';
  readonly table: RealtimeTable;
  readonly type: ChangeType;
  readonly commitTimestamp: string;
  readonly record: Row | null;
  readonly oldRecord: Row | null;
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
}

function isChangeType(value: string): value is ChangeType {
  return value === 'INSERT' || value === 'UPDATE' || value === 'DELETE';
}

/**
 * Listens to the database's change announcements (migration 0005) and hands each change, in
 * commit order, to `onChange`. Returns the function that stops listening.
 */
export async function startChangeFeed(db: Database, logger: Logger, onChange: (change: TableChange) => void): Promise<() => Promise<void>> {
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
      const known = { ...announcement.key, user_email: announcement.owner };
      record = type === 'DELETE' ? null : (toJsonRow(row) ?? known);
      oldRecord = type === 'INSERT' ? null : known;
    }
    return { schema: 'public', table, type, commitTimestamp: announcement.commit_timestamp, record, oldRecord };
  }

  return db.listen(CHANGE_CHANNEL, (payload) => {
    queue = queue
      .then(async () => {
        const change = await readAnnouncement(JSON.parse(payload) as Announcement);
        if (change) onChange(change);
      })
      .catch((error: unknown) => logger.error({ err: error }, 'could not deliver a change'));
  });
}

/** A row read by a driver, in the JSON form the database's to_jsonb gives (timestamps as ISO text). */
function toJsonRow(row: Row | undefined): Row | undefined {
  if (!row) return undefined;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));
}

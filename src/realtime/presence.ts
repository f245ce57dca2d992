import type { Logger } from 'pino';
import type { Database } from '../db/database.js';

/**
 * How often a process tells the database it is alive (realtime_instances.heartbeat_at). The
 * database counts a process as gone after dialer_presence_timeout() (30 s, migration 0011): three
 * beats missed, so one slow beat never sends a connected rep offline.
 */
export const PRESENCE_HEARTBEAT_MS = 10_000;

/** What the room tells presence: a member's first channel on this process joined, or their last one left. */
export type PresenceListener = (email: string, isOnline: boolean) => void;

export interface Presence {
  readonly instanceId: string;
  readonly setOnline: PresenceListener;
  /** Registers this process and starts beating. Never throws: a database away now is retried on the next beat. */
  start(): Promise<void>;
  /**
   * One beat: this process's heartbeat, the removal of processes whose heartbeat is too old
   * (their members synced), and any presence write still owed. Run by the timer; tests call it.
   */
  heartbeat(): Promise<void>;
  /** Removes this process and its presence, and syncs its members (graceful stop). */
  stop(): Promise<void>;
}

/**
 * Presence for rep state `offline`: which members hold at least one joined, authenticated
 * channel on this process, kept as rows of realtime_presence under this process's instance.
 * A member's first channel inserts their row, their last one deletes it, and each write calls
 * dialer_sync_rep_state, THE rule for a rep's state. Writes are made one at a time, in the
 * background: a failed write is logged and made again on the next beat, and never delays or
 * stops the delivery of changes.
 */
export function createPresence({
  db,
  logger,
  instanceId,
  heartbeatMs = PRESENCE_HEARTBEAT_MS,
}: {
  db: Database;
  logger: Logger;
  instanceId: string;
  heartbeatMs?: number;
}): Presence {
  /** Members with a channel on this process now. */
  const online = new Set<string>();
  /** Members whose row this process has written and not deleted. */
  const written = new Set<string>();
  let isRegistered = false;
  let isStopped = false;
  let flushing: Promise<void> | undefined;
  let isFlushAgain = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  async function sync(email: string): Promise<void> {
    await db.sql`select dialer_sync_rep_state(${email})`;
  }

  async function write(email: string, isOnline: boolean): Promise<void> {
    if (isOnline) await db.sql`insert into realtime_presence (instance_id, user_email) values (${instanceId}, ${email}) on conflict do nothing`;
    else await db.sql`delete from realtime_presence where instance_id = ${instanceId} and user_email = ${email}`;
    // The state follows in its own statement, so it sees the presence row as committed; a sync
    // that fails here is repaired on a later beat (repairStates).
    if (isOnline) written.add(email);
    else written.delete(email);
    await sync(email);
  }

  /** Makes the rows match `online`, one member at a time; stops at the first failure (retried on the next beat). */
  async function reconcile(): Promise<void> {
    if (!isRegistered || isStopped) return;
    try {
      for (const email of [...online]) if (!written.has(email)) await write(email, true);
      for (const email of [...written]) if (!online.has(email)) await write(email, false);
    } catch (error) {
      // A process removed as stale by another has lost its instance row (and, with it, its presence).
      isRegistered = false;
      logger.warn({ err: error }, 'realtime: could not record presence; will try again on the next heartbeat');
    }
  }

  function flush(): Promise<void> {
    if (flushing) {
      isFlushAgain = true;
      return flushing;
    }
    flushing = (async () => {
      do {
        isFlushAgain = false;
        await reconcile();
      } while (isFlushAgain && isRegistered && !isStopped);
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  /** Beats, or registers this process again: then its presence rows were removed with it and are written anew. */
  async function beat(): Promise<void> {
    const updated = await db.sql`update realtime_instances set heartbeat_at = now() where instance_id = ${instanceId} returning instance_id`;
    if (updated.length === 0) {
      await db.sql`insert into realtime_instances (instance_id) values (${instanceId}) on conflict (instance_id) do update set heartbeat_at = now()`;
      written.clear();
    }
    isRegistered = true;
  }

  /**
   * Removes the processes that stopped beating (a crash, a kill), then syncs every member whose
   * state says the opposite of their presence: the members of a removed process go offline, and
   * a sync lost to a failure or a crash is made good. Any process does it; each sync is its own
   * statement, so two processes doing it at once never wait on each other in a cycle.
   */
  async function repairStates(): Promise<void> {
    const removed = await db.sql<{ instance_id: string }>`
      delete from realtime_instances where heartbeat_at < now() - dialer_presence_timeout() and instance_id <> ${instanceId}
      returning instance_id::text`;
    if (removed.length > 0) logger.info({ instances: removed.map((row) => row.instance_id) }, 'realtime: removed the presence of processes that stopped beating');
    const drifted = await db.sql<{ user_email: string }>`
      select r.user_email from rep_states r
      where r.state <> 'on_call' and (r.state = 'offline') = exists (
        select 1 from realtime_presence p join realtime_instances i using (instance_id)
        where p.user_email = r.user_email and i.heartbeat_at > now() - dialer_presence_timeout())`;
    for (const { user_email: email } of drifted) await sync(email);
  }

  async function heartbeat(): Promise<void> {
    if (isStopped) return;
    try {
      await beat();
      await repairStates();
    } catch (error) {
      logger.warn({ err: error }, 'realtime: presence heartbeat failed; will try again');
    }
    await flush();
  }

  return {
    instanceId,
    setOnline(email, isOnline) {
      if (isOnline) online.add(email);
      else online.delete(email);
      void flush();
    },
    async start() {
      await heartbeat();
      timer = setInterval(() => void heartbeat(), heartbeatMs);
      timer.unref();
    },
    heartbeat,
    async stop() {
      isStopped = true;
      clearInterval(timer);
      await flushing;
      try {
        const gone = await db.sql<{ user_email: string }>`delete from realtime_presence where instance_id = ${instanceId} returning user_email`;
        await db.sql`delete from realtime_instances where instance_id = ${instanceId}`;
        for (const { user_email: email } of gone) await sync(email);
      } catch (error) {
        // Other processes remove this instance once its heartbeat is old enough.
        logger.warn({ err: error }, 'realtime: could not remove presence at stop');
      }
      written.clear();
    },
  };
}

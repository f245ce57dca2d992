/**
 * The change streams the realtime benches drive, written straight to `active_calls` like any
 * writer, so each change belongs to one user and its key (`session_id`) tells which change it is:
 *
 * - `update`: a one-row UPDATE of the user's live call (line 3, placed once beforehand) that
 *   changes only its `session_id`: the write a bare one-row UPDATE is compared with, plus what
 *   the table's own triggers do for any update and what capture costs;
 * - `cycle`: the user's call on line 1 advanced one status at a time (insert, ringing,
 *   in-progress, completed, then a new call), with everything the database does for a real
 *   status change (the status machine, rep state, the history row and stats on completion).
 */
import type postgres from 'postgres';
import { now, pace } from './measure.js';
import { benchEmail } from './phoenix.js';

export type Workload = 'update' | 'cycle';

const STATUS_STEPS = ['ringing', 'in-progress', 'completed'] as const;

export interface CallWriter {
  /** Places each user's live call on line 3, which `update` changes. */
  placeLiveCalls(users: number): Promise<void>;
  /**
   * Writes `user`'s next change of `workload`, tagged `key`; `onSend` gets the moment just before
   * the statement goes out. Resolves with the moment the commit was acknowledged.
   */
  advance(workload: Workload, user: number, key: string, onSend: (at: number) => void): Promise<number>;
  /**
   * `rate` changes a second for `seconds`, spread over `users` users in turn; one user's changes
   * wait for each other (as one call's statuses do), users run in parallel. Resolves with the
   * seconds the sending took and how many changes had to wait for their user's previous one.
   */
  paceChanges(options: {
    workload: Workload;
    rate: number;
    seconds: number;
    users: number;
    keyOf: (seq: number) => string;
    onSend: (key: string, at: number) => void;
    onAck: (key: string, at: number) => void;
  }): Promise<{ seconds: number; waited: number }>;
}

export function createCallWriter(sql: postgres.Sql): CallWriter {
  const cycling = new Map<number, { id: string; step: number }>();
  const liveCalls: string[] = [];
  const queues = new Map<number, Promise<unknown>>();

  async function advanceCycle(user: number, key: string): Promise<void> {
    const call = cycling.get(user);
    if (!call || call.step >= STATUS_STEPS.length) {
      const [row] = await sql`insert into active_calls (user_email, line_number, to_number, session_id, provider)
        values (${benchEmail(user)}, 1, '+14155550100', ${key}, 'twilio') returning id`;
      cycling.set(user, { id: String(row?.['id']), step: 0 });
    } else {
      await sql`update active_calls set status = ${STATUS_STEPS[call.step] ?? 'completed'}, session_id = ${key} where id = ${call.id}`;
      call.step++;
    }
  }

  async function advance(workload: Workload, user: number, key: string, onSend: (at: number) => void): Promise<number> {
    onSend(now());
    if (workload === 'cycle') await advanceCycle(user, key);
    else await sql`update active_calls set session_id = ${key} where id = ${liveCalls[user] ?? ''}`;
    return now();
  }

  return {
    async placeLiveCalls(users) {
      const emails = Array.from({ length: users }, (_, user) => benchEmail(user));
      const rows = await sql<{ id: string; user_email: string }[]>`
        insert into active_calls (user_email, line_number, to_number, provider)
        select unnest(${emails}::text[]), 3, '+14155550100', 'twilio' returning id, user_email`;
      const idOf = new Map(rows.map((row) => [row.user_email, row.id]));
      liveCalls.splice(0, liveCalls.length, ...emails.map((email) => idOf.get(email) ?? ''));
    },
    advance,
    async paceChanges({ workload, rate, seconds, users, keyOf, onSend, onAck }) {
      let waited = 0;
      const sending = await pace(rate, seconds, (seq) => {
        const user = seq % users;
        const key = keyOf(seq);
        const previous = queues.get(user);
        if (previous) waited++;
        const next = (previous ?? Promise.resolve())
          .catch(() => {})
          .then(() => advance(workload, user, key, (at) => onSend(key, at)))
          .then((at) => onAck(key, at));
        const settled = next.finally(() => {
          if (queues.get(user) === settled) queues.delete(user);
        });
        queues.set(user, settled);
        return settled;
      });
      return { seconds: sending, waited };
    },
  };
}

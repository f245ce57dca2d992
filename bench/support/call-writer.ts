/**
 * The change stream the realtime benches drive: each bench user's call advanced one status at a
 * time (insert, ringing, in-progress, completed, then a new call), written straight to
 * `active_calls` like any writer, so each change belongs to one user and its key (`session_id`)
 * tells which change it is.
 */
import type postgres from 'postgres';
import { now, pace } from './measure.js';
import { benchEmail } from './phoenix.js';

const STATUS_STEPS = ['ringing', 'in-progress', 'completed'] as const;

export interface CallWriter {
  /**
   * Writes the next change of `user`'s call, tagged `key`; `onSend` gets the moment just before
   * the statement goes out. Resolves with the moment the commit was acknowledged.
   */
  advance(user: number, key: string, onSend: (at: number) => void): Promise<number>;
  /**
   * `rate` changes a second for `seconds`, spread over `users` users in turn; one user's changes
   * wait for each other (as one call's statuses do), users run in parallel. Resolves with the
   * seconds the sending took and how many changes had to wait for their user's previous one.
   */
  paceChanges(options: {
    rate: number;
    seconds: number;
    users: number;
    keyOf: (seq: number) => string;
    onSend: (key: string, at: number) => void;
    onAck: (key: string, at: number) => void;
  }): Promise<{ seconds: number; waited: number }>;
}

export function createCallWriter(sql: postgres.Sql): CallWriter {
  const calls = new Map<number, { id: string; step: number }>();
  const queues = new Map<number, Promise<unknown>>();

  async function advance(user: number, key: string, onSend: (at: number) => void): Promise<number> {
    const call = calls.get(user);
    onSend(now());
    if (!call || call.step >= STATUS_STEPS.length) {
      const [row] = await sql`insert into active_calls (user_email, line_number, to_number, session_id, provider)
        values (${benchEmail(user)}, 1, '+14155550100', ${key}, 'twilio') returning id`;
      calls.set(user, { id: String(row?.['id']), step: 0 });
    } else {
      await sql`update active_calls set status = ${STATUS_STEPS[call.step] ?? 'completed'}, session_id = ${key} where id = ${call.id}`;
      call.step++;
    }
    return now();
  }

  return {
    advance,
    async paceChanges({ rate, seconds, users, keyOf, onSend, onAck }) {
      let waited = 0;
      const sending = await pace(rate, seconds, (seq) => {
        const user = seq % users;
        const key = keyOf(seq);
        const previous = queues.get(user);
        if (previous) waited++;
        const next = (previous ?? Promise.resolve())
          .catch(() => {})
          .then(() => advance(user, key, (at) => onSend(key, at)))
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

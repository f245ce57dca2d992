import type { RepState, SettableRepState } from '../core/workspace.js';
import type { Database, Queryable } from './database.js';

export interface RepStateRow {
  user_email: string;
  workspace_id: string;
  state: RepState;
  live_lines: number;
  state_since: Date;
  is_away: boolean;
  is_wrap_up: boolean;
  updated_at: Date;
}

/** Re-derives a member's state by THE rule (dialer_sync_rep_state in 0011) and logs a change. */
export async function syncRepState(tx: Queryable, userEmail: string): Promise<void> {
  await tx.sql`select dialer_sync_rep_state(${userEmail})`;
}

/**
 * The rep says they are available or away. Either way a pending wrap-up is over (the rep has
 * moved on); the state that results is the rule's: still on_call with a live line, offline with
 * no client connected.
 */
export async function setRepState(db: Database, userEmail: string, state: SettableRepState): Promise<RepStateRow | undefined> {
  return db.transaction(async (tx) => {
    const [found] = await tx.sql<{ user_email: string }>`
      update rep_states set is_away = ${state === 'away'}, is_wrap_up = false, updated_at = now()
      where user_email = ${userEmail} returning user_email`;
    if (!found) return undefined;
    await syncRepState(tx, userEmail);
    const [row] = await tx.sql<RepStateRow>`select * from rep_states where user_email = ${userEmail}`;
    return row;
  });
}

/** A disposition saved ends the wrap-up that the call left (in the disposition's transaction). */
export async function endWrapUp(tx: Queryable, userEmail: string): Promise<void> {
  await tx.sql`update rep_states set is_wrap_up = false where user_email = ${userEmail} and is_wrap_up`;
  await syncRepState(tx, userEmail);
}

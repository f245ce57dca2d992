import type { Queryable } from './database.js';

/**
 * Serialises everything that decides whether a workspace may dial a number: the dial gate (its
 * do-not-call, calling-hours and attempt checks and the `active_calls` insert) and every writer
 * of the workspace's do-not-call list take this transaction-scoped lock for (workspace, E.164
 * number), so an entry or an attempt committed a moment before a dial is never missed by it.
 */
export async function lockDialGate(tx: Queryable, workspaceId: string, e164: string): Promise<void> {
  await tx.sql`select pg_advisory_xact_lock(hashtext('dial_gate'), hashtext(${`${workspaceId} ${e164}`}))`;
}

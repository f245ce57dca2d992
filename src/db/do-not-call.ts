import { fail, ok, type Result } from '../core/errors.js';
import { isCountryCode, type CountryCode } from '../core/phone-number.js';
import type { Database, Queryable } from './database.js';
import { lockDialGate } from './dial-gate-lock.js';
import { readWorkspaceCountry } from './lead-import.js';
import { recordAudit } from './workspaces.js';

/** How a number came onto a workspace's do-not-call list (db/migrations/0018_compliance.sql and 0024 check the same words). */
export const DO_NOT_CALL_SOURCES = ['manual', 'import', 'registry', 'disposition', 'lead_status', 'opt_out'] as const;
export type DoNotCallSource = (typeof DO_NOT_CALL_SOURCES)[number];

/**
 * Up to this many numbers, an add takes the dial gate's lock for each (see addToDoNotCall); a
 * larger add (a file import) takes none. 100 locks stay far below the shared lock table
 * (max_locks_per_transaction × max_connections: 6,400 entries with PostgreSQL's defaults).
 */
export const LOCKED_ADD_LIMIT = 100;

/** Numbers one statement inserts: a 100,000-number registry extract is 20 statements. */
export const ADD_BATCH_SIZE = 5000;

export interface DoNotCallAddition {
  /** Who adds the numbers; the rows land in this member's workspace (the insert trigger reads it). */
  readonly userEmail: string;
  /** E.164 numbers, already normalised; repeats are added once. */
  readonly numbers: readonly string[];
  readonly source: DoNotCallSource;
  /** At most 500 characters (the database checks the same). */
  readonly note?: string | null;
  /** The call whose disposition asked for it. */
  readonly callLogId?: string | null;
  /**
   * false: take no dial gate lock even for a few numbers. For a caller that already holds row
   * locks a dial may wait for after taking the gate's lock (a bulk action holds its leads FOR
   * UPDATE, and a dial's insert takes a key-share lock on its lead through the foreign key), so
   * taking the gate's lock after them could deadlock. Default true.
   */
  readonly takesDialGateLock?: boolean;
}

export interface DoNotCallAdded {
  /** Numbers this call put on the list. */
  readonly added: number;
  /** Numbers that were on the list already (the first entry of a number is kept, unchanged). */
  readonly alreadyListed: number;
}

const MESSAGES: Readonly<Record<DoNotCallSource, string>> = {
  manual: 'Added to the do-not-call list by hand.',
  import: 'Added to the do-not-call list from an imported file.',
  registry: 'Added to the do-not-call list from a National Do Not Call Registry file.',
  disposition: 'Added to the do-not-call list by a do_not_call disposition.',
  lead_status: "Added to the do-not-call list when a lead's status was set to do_not_call.",
  opt_out: 'Added to the do-not-call list by the callee, who pressed the opt-out key during the safe-harbor message.',
};

/** The country the workspace reads numbers without `+` in (workspaces.default_country). */
export async function workspaceCountry(db: Queryable, workspaceId: string): Promise<CountryCode> {
  const country = await readWorkspaceCountry(db, workspaceId);
  return isCountryCode(country) ? country : 'US';
}

async function workspaceOf(tx: Queryable, userEmail: string): Promise<string> {
  const [member] = await tx.sql<{ workspace_id: string }>`select workspace_id from workspace_members where user_email = ${userEmail}`;
  if (!member) throw new Error(`no workspace member with email ${userEmail}`);
  return member.workspace_id;
}

/**
 * The workspace's list is the seller's own do-not-call list (47 CFR 64.1200(d); 16 CFR
 * 310.4(b)(1)(iii)(A): a person who asked not to be called is not called again), and holds the
 * National Do Not Call Registry's numbers a workspace imports (16 CFR 310.4(b)(1)(iii)(B); 47 CFR
 * 64.1200(c)(2)). The dial gate refuses every number on it.
 *
 * Puts numbers on the adder's workspace do-not-call list, in the caller's transaction: one row per
 * number not listed yet (a listed number keeps its first entry) and, for each row really added,
 * one compliance_events row (kind `dnc_added`, rule = the source), written by the same statement.
 *
 * The dial gate reads the list under `lockDialGate` (src/db/dial-gate-lock.ts). A small add (at
 * most LOCKED_ADD_LIMIT numbers: a disposition, a bulk status change, numbers typed in) takes that
 * lock for each number, in sorted order so two adds never deadlock, so it also waits for a dial of
 * that number already under way. A larger add (a file) takes none, and needs none for the rule
 * that counts (no dial that starts after the add commits goes out): under READ COMMITTED each
 * statement of the gate reads the rows committed before it started, so a gate whose check runs
 * after this commit sees the number. A lock per number would also not fit: 100,000 advisory locks
 * in one transaction exceed PostgreSQL's shared lock table and fail with "out of shared memory".
 */
export async function addToDoNotCall(tx: Queryable, addition: DoNotCallAddition): Promise<DoNotCallAdded> {
  const numbers = [...new Set(addition.numbers)].sort();
  if (numbers.length === 0) return { added: 0, alreadyListed: 0 };
  const workspaceId = await workspaceOf(tx, addition.userEmail);
  if (numbers.length <= LOCKED_ADD_LIMIT && addition.takesDialGateLock !== false) {
    for (const number of numbers) await lockDialGate(tx, workspaceId, number);
  }
  let added = 0;
  for (let from = 0; from < numbers.length; from += ADD_BATCH_SIZE) {
    const batch = JSON.stringify(numbers.slice(from, from + ADD_BATCH_SIZE));
    const [counted] = await tx.sql<{ added: number }>`
      with added as (
        insert into do_not_call_numbers (user_email, phone_number, source, note, call_log_id)
        select ${addition.userEmail}, number, ${addition.source}, ${addition.note ?? null}::text, ${addition.callLogId ?? null}::uuid
        from jsonb_array_elements_text(${batch}::text::jsonb) as t(number)
        -- Listed numbers are left out before the insert: its trigger (the row's workspace) would
        -- run for each of them first. A number listed meanwhile is still caught by the conflict.
        where not exists (select 1 from do_not_call_numbers d where d.workspace_id = ${workspaceId}::uuid and d.phone_number = t.number)
        on conflict (workspace_id, phone_number) do nothing
        returning phone_number
      ), events as (
        insert into compliance_events (user_email, kind, rule, phone_number, call_id, message, details)
        select ${addition.userEmail}, 'dnc_added', ${addition.source}, phone_number,
          (select active_call_id from call_logs where id = ${addition.callLogId ?? null}::uuid),
          ${MESSAGES[addition.source]}, jsonb_strip_nulls(jsonb_build_object('note', ${addition.note ?? null}::text, 'callLogId', ${addition.callLogId ?? null}::text))
        from added
        returning 1
      )
      select count(*)::int as added from events`;
    added += counted?.added ?? 0;
  }
  return { added, alreadyListed: numbers.length - added };
}

/**
 * Numbers of a file import committed per transaction. The embedded database (PGlite) has one
 * connection and runs one transaction at a time: a 25 MiB registry extract (two million numbers)
 * added in one transaction held it for minutes, so no dial, webhook or sign-in of any workspace
 * ran meanwhile (200,000 numbers: 20 s). About 0.2 s of work per transaction lets them in between.
 */
export const FILE_COMMIT_SIZE = 2000;

/**
 * A file's numbers on the list (addToDoNotCall), committed FILE_COMMIT_SIZE numbers at a time,
 * each batch in its own transaction, so other work runs between batches. Every dial that starts
 * after a batch commits sees its numbers. A crash part-way keeps the batches already committed
 * (the list only ever stops calls, so a partial import is safe) and importing the file again adds
 * the rest. Takes no dial gate lock (a file is more than LOCKED_ADD_LIMIT numbers).
 */
export async function importToDoNotCall(
  db: Database,
  addition: Omit<DoNotCallAddition, 'takesDialGateLock'>,
  commitSize: number = FILE_COMMIT_SIZE,
): Promise<DoNotCallAdded> {
  const numbers = [...new Set(addition.numbers)].sort();
  let added = 0;
  for (let from = 0; from < numbers.length; from += commitSize) {
    const batch = numbers.slice(from, from + commitSize);
    const counts = await db.transaction((tx) => addToDoNotCall(tx, { ...addition, numbers: batch, takesDialGateLock: false }));
    added += counts.added;
  }
  return { added, alreadyListed: numbers.length - added };
}

export interface DoNotCallRemoval {
  /** Who removes the number (an admin or manager: the function checks). */
  readonly actor: { readonly email: string; readonly workspaceId: string };
  /** E.164. */
  readonly phoneNumber: string;
  /** Why, 1–500 characters: kept on the compliance event and the audit entry. */
  readonly reason: string;
}

/**
 * Takes a number off the actor's workspace list under the dial gate's lock, recording who and why
 * twice: a compliance_events row (kind `dnc_removed`, with the entry as it was) and an audit_log
 * entry (`do_not_call.removed`). `removed: false` (nothing written) when the number was not on
 * the list. A lead of the workspace whose status is do_not_call still stops dials of its number.
 */
export async function removeFromDoNotCall(tx: Queryable, removal: DoNotCallRemoval): Promise<Result<{ removed: boolean }>> {
  const { actor, phoneNumber, reason } = removal;
  if (reason.trim() === '') return fail('invalid_request', 'reason: say why the number may be called again.');
  await lockDialGate(tx, actor.workspaceId, phoneNumber);
  const [entry] = await tx.sql<{ user_email: string; source: string; note: string | null; created_at: Date }>`
    delete from do_not_call_numbers where workspace_id = ${actor.workspaceId}::uuid and phone_number = ${phoneNumber}
    returning user_email, source, note, created_at`;
  if (!entry) return ok({ removed: false });
  const listed = { addedBy: entry.user_email, source: entry.source, note: entry.note, addedAt: entry.created_at.toISOString() };
  await tx.sql`
    insert into compliance_events (user_email, kind, rule, phone_number, message, details)
    values (${actor.email}, 'dnc_removed', 'manual', ${phoneNumber}, ${`Removed from the do-not-call list by ${actor.email}: ${reason}`},
      ${JSON.stringify({ reason, ...listed })}::text::jsonb)`;
  await recordAudit(tx, { workspaceId: actor.workspaceId, actorEmail: actor.email, action: 'do_not_call.removed', target: phoneNumber, details: { reason, ...listed } });
  return ok({ removed: true });
}

import { fail, ok, type Result } from '../core/errors.js';
import { insertActiveCall, type ActiveCallRow, type NewCall } from './active-calls.js';
import type { Database, Queryable } from './database.js';

/**
 * Serialises everything that decides whether one user may dial one number: a dial and a
 * do-not-call request for the same (user, number) take this lock in their transactions, so a
 * request committed a moment before a dial is never missed by it.
 */
export async function lockNumberOfUser(tx: Queryable, userEmail: string, phoneNumber: string): Promise<void> {
  await tx.sql`select pg_advisory_xact_lock(hashtext(${`${userEmail} ${phoneNumber}`}))`;
}

/** Why a user may not dial a number, or undefined when they may. */
export async function findDoNotCallReason(tx: Queryable, userEmail: string, phoneNumber: string): Promise<string | undefined> {
  const [listed] = await tx.sql<{ reason: string }>`
    select reason from (
      select 1 as rank, 'The lead ' || name || ' with this number asked not to be called.' as reason
      from leads where user_email = ${userEmail} and phone = ${phoneNumber} and status = 'do_not_call'
      union all
      select 2, 'This number is on your do-not-call list.'
      from do_not_call_numbers where user_email = ${userEmail} and phone_number = ${phoneNumber}
    ) reasons order by rank limit 1`;
  return listed?.reason;
}

/**
 * Opens a call (its `active_calls` row in `dialing`) after the server-side checks that must see
 * the same moment as the insert: do-not-call (every lead of the user with that number, and the
 * user's list) and one live call per line. Nothing is written when a check refuses.
 * A call with an extension is stored with it and without AMD.
 * Errors: `do_not_call` (409), `line_busy` (409).
 */
export async function openCall(db: Database, call: NewCall): Promise<Result<ActiveCallRow>> {
  return db.transaction(async (tx) => {
    await lockNumberOfUser(tx, call.userEmail, call.toNumber);
    const doNotCall = await findDoNotCallReason(tx, call.userEmail, call.toNumber);
    if (doNotCall) return fail('do_not_call', `${doNotCall} The call was not placed.`);
    // Twilio ignores MachineDetection when SendDigits is given, and a switchboard answering would
    // be taken for a machine anyway: a call to an extension is made without answering-machine detection.
    const row = await insertActiveCall(tx, call.extension ? { ...call, amdEnabled: false } : call);
    return row ? ok(row) : fail('line_busy', 'That line already has a live call: hang it up or pick another line.');
  });
}

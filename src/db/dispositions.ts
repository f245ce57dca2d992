import { leadStatusAfterDisposition } from '../core/dispositions.js';
import { fail, ok, type Result } from '../core/errors.js';
import type { CallLog, Disposition, Lead } from '../core/rows.js';
import type { Database, Queryable } from './database.js';
import { addToDoNotCall } from './do-not-call.js';
import { endWrapUp } from './rep-states.js';

export type CallLogRow = CallLog<Date>;
export type LeadRow = Lead<Date>;

export interface DispositionInput {
  /** The caller's email; undefined for the service role, which may dispose of any call. */
  readonly userEmail: string | undefined;
  readonly callId: string;
  readonly disposition: Disposition;
  /** New notes; undefined keeps the notes the history row has. */
  readonly notes: string | null | undefined;
  /** When to call back; only with the `callback` disposition. */
  readonly callbackAt: Date | null;
}

export interface SavedDisposition {
  readonly callLog: CallLogRow;
  /** The lead after the disposition, when the call had one. */
  readonly lead: LeadRow | undefined;
  readonly hasLeadStatusChanged: boolean;
}

/**
 * Saves (or corrects) a finished call's disposition: its history row, the lead's status and
 * callback time, and for `do_not_call` the workspace's do-not-call list (addToDoNotCall, source
 * `disposition`), in one transaction with the server's clock. The rule for the lead is `leadStatusAfterDisposition` (src/core/dispositions.ts).
 * The rep's wrap-up ends in the same transaction (rep_states, dialer_sync_rep_state).
 * Errors: `call_not_found` (404, also for another user's call), `call_not_finished` (409).
 */
export async function saveDisposition(db: Database, input: DispositionInput): Promise<Result<SavedDisposition>> {
  return db.transaction(async (tx) => {
    const saved = await saveDispositionRows(tx, input);
    // The rep has said how the call went: their wrap-up is over (the floor shows them available).
    // Last, after the lead: a call ending locks its lead before its rep's state, and so do we.
    if (saved.ok) await endWrapUp(tx, saved.value.callLog.user_email);
    return saved;
  });
}

async function saveDispositionRows(tx: Queryable, input: DispositionInput): Promise<Result<SavedDisposition>> {
  const owner = input.userEmail ?? null;
  const [found] = await tx.sql<CallLogRow & { workspace_id: string }>`
    select * from call_logs where active_call_id = ${input.callId} and (${owner}::text is null or user_email = ${owner}::text)
    for update`;
  if (!found) {
    const [live] = await tx.sql<{ status: string }>`
      select status from active_calls where id = ${input.callId} and (${owner}::text is null or user_email = ${owner}::text)`;
    return live
      ? fail('call_not_finished', `The call is still ${live.status}: its disposition can be saved when it ends.`)
      : fail('call_not_found', 'No finished call of yours has that id.');
  }
  if (input.disposition === 'do_not_call' && found.to_number) {
    // The workspace's list, under the dial gate's lock: no rep of the workspace dials it again.
    await addToDoNotCall(tx, { userEmail: found.user_email, numbers: [found.to_number], source: 'disposition', callLogId: found.id });
  }
  const [callLog] = await tx.sql<CallLogRow>`
    update call_logs set
      disposition = ${input.disposition},
      notes = case when ${input.notes !== undefined}::boolean then ${input.notes ?? null}::text else notes end,
      callback_at = ${input.callbackAt}::timestamptz,
      disposition_at = now(),
      updated_at = now()
    where id = ${found.id}
    returning *`;
  if (!callLog) throw new Error(`call log ${found.id} vanished under its lock`);
  if (!found.lead_id) return ok({ callLog, lead: undefined, hasLeadStatusChanged: false });

  const [lead] = await tx.sql<LeadRow & { is_latest_call: boolean }>`
    select l.*, not exists (
      select 1 from call_logs newer
      where newer.lead_id = l.id and newer.id <> ${found.id} and newer.ended_at > ${found.ended_at}::timestamptz
    ) as is_latest_call
    -- The call's lead, whoever owns it, in the call's workspace (the server chose the lead when it placed the call).
    from leads l where l.id = ${found.lead_id} and l.workspace_id = ${found.workspace_id}
    for update of l`;
  if (!lead) return ok({ callLog, lead: undefined, hasLeadStatusChanged: false });
  const { is_latest_call: isLatestCall, ...current } = lead;
  const nextStatus = leadStatusAfterDisposition(input.disposition, current.status, isLatestCall);
  const setsCallback = input.disposition === 'callback' && isLatestCall && current.status !== 'do_not_call';
  if (nextStatus === null && !setsCallback) return ok({ callLog, lead: current, hasLeadStatusChanged: false });
  const [updated] = await tx.sql<LeadRow>`
    update leads set
      status = coalesce(${nextStatus}::text, status),
      callback_at = case when ${setsCallback}::boolean then ${input.callbackAt}::timestamptz
                         when ${nextStatus}::text is not null then null else callback_at end
    where id = ${current.id}
    returning *`;
  return ok({ callLog, lead: updated ?? current, hasLeadStatusChanged: nextStatus !== null });
}

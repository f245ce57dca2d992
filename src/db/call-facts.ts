import { isTerminal, type StatusSource } from '../core/call-status.js';
import { isAwaitingVerdict, settleCall, type CallFacts, type ReportedCall } from '../core/twilio-status.js';
import { updateCallStatus, type ActiveCallRow } from './active-calls.js';
import type { Queryable } from './database.js';

export interface SameStatusFacts {
  readonly callSid?: string | undefined;
  readonly answeredBy?: string | undefined;
  readonly recordingUrl?: string | undefined;
}

/**
 * Writes facts that do not move the status (the provider's call id, who answered, a recording)
 * and returns the row when anything changed. A finished call still takes them: the database
 * copies a late answered_by or recording URL into its history row.
 */
export async function recordCallFacts(db: Queryable, callId: string, facts: SameStatusFacts): Promise<ActiveCallRow | undefined> {
  const sid = facts.callSid ?? null;
  const answeredBy = facts.answeredBy ?? null;
  const recordingUrl = facts.recordingUrl ?? null;
  if (sid === null && answeredBy === null && recordingUrl === null) return undefined;
  const [row] = await db.sql<ActiveCallRow>`
    update active_calls set
      call_sid = coalesce(call_sid, ${sid}::text),
      answered_by = coalesce(${answeredBy}::text, answered_by),
      recording_url = coalesce(${recordingUrl}::text, recording_url)
    where id = ${callId}
      and ((call_sid is null and ${sid}::text is not null)
        or answered_by is distinct from coalesce(${answeredBy}::text, answered_by)
        or recording_url is distinct from coalesce(${recordingUrl}::text, recording_url))
    returning *`;
  return row;
}

export interface AppliedFacts {
  /** The row after the facts, when anything changed. */
  readonly row: ActiveCallRow | undefined;
  readonly hasMoved: boolean;
  /** Twilio reported the call's end, but its answering-machine verdict is still to come. */
  readonly isAwaitingVerdict: boolean;
}

/**
 * Applies what a provider reported about `call` (the row as it stands, locked by the caller).
 * A progress status goes through the status machine (a late or repeated one changes nothing,
 * ST1-ST2). An end is first kept on the row as Twilio reported it, and the call finishes once
 * the facts on the row decide its outcome (`settleCall`, TR3); an answered call then counts as
 * answered (in-progress) while it waits.
 */
export async function applyCallFacts(
  db: Queryable,
  call: ActiveCallRow,
  facts: CallFacts & { callSid?: string | undefined },
  source: StatusSource,
  options: { readonly hasVerdictWaitPassed?: boolean } = {},
): Promise<AppliedFacts> {
  if (!isTerminal(facts.status) || isTerminal(call.status)) {
    const moved = isTerminal(facts.status)
      ? undefined
      : await updateCallStatus(db, call.id, {
          status: facts.status,
          statusSource: source,
          ...(facts.answeredAt === undefined ? {} : { answeredAt: facts.answeredAt }),
          ...(facts.answeredBy === undefined ? {} : { answeredBy: facts.answeredBy }),
          ...(facts.recordingUrl === undefined ? {} : { recordingUrl: facts.recordingUrl }),
        });
    const noted = await recordCallFacts(db, call.id, { callSid: facts.callSid, answeredBy: facts.answeredBy, recordingUrl: facts.recordingUrl });
    return { row: noted ?? moved, hasMoved: moved !== undefined, isAwaitingVerdict: false };
  }
  const isAnswered = facts.status === 'completed';
  const [reported] = await db.sql<ActiveCallRow>`
    update active_calls set
      status = case when ${isAnswered} and status in ('dialing', 'ringing') then 'in-progress' else status end,
      status_source = case when ${isAnswered} and status in ('dialing', 'ringing') then ${source} else status_source end,
      answered_at = coalesce(answered_at, ${isAnswered ? (facts.answeredAt ?? null) : null}::timestamptz),
      reported_status = coalesce(reported_status, ${facts.status}),
      reported_ended_at = coalesce(reported_ended_at, ${facts.endedAt ?? null}::timestamptz),
      reported_duration_seconds = coalesce(reported_duration_seconds, ${facts.durationSeconds ?? null}::integer),
      last_error = coalesce(last_error, ${facts.lastError ?? null}::text),
      call_sid = coalesce(call_sid, ${facts.callSid ?? null}::text),
      answered_by = coalesce(${facts.answeredBy ?? null}::text, answered_by),
      recording_url = coalesce(${facts.recordingUrl ?? null}::text, recording_url)
    where id = ${call.id} and not dialer_is_terminal(status)
    returning *`;
  const current = reported ?? call;
  const finished = await settleReportedEnd(db, current, source, options);
  return {
    row: finished ?? reported,
    hasMoved: finished !== undefined || (reported !== undefined && reported.status !== call.status),
    isAwaitingVerdict: finished === undefined && isAwaitingVerdict(reportedCallOf(current)),
  };
}

export const reportedCallOf = (row: ActiveCallRow): ReportedCall => ({
  startedAt: row.started_at,
  amdEnabled: row.amd_enabled,
  answeredBy: row.answered_by,
  reportedStatus: row.reported_status,
  reportedEndedAt: row.reported_ended_at,
  reportedDurationSeconds: row.reported_duration_seconds,
});

/**
 * Finishes a live call whose end Twilio reported, once its facts decide the outcome (TR3); the
 * history row, lead and stats follow in the same transaction (HI1). A call the rep asked to end
 * is recorded as ended by the rep (`manual`), whichever of Twilio's reports carried the end.
 */
export async function settleReportedEnd(
  db: Queryable,
  call: ActiveCallRow,
  source: StatusSource,
  options: { readonly hasVerdictWaitPassed?: boolean } = {},
): Promise<ActiveCallRow | undefined> {
  if (isTerminal(call.status)) return undefined;
  const final = settleCall(reportedCallOf(call), { hasVerdictWaitPassed: options.hasVerdictWaitPassed ?? false });
  if (!final) return undefined;
  const [row] = await db.sql<ActiveCallRow>`
    update active_calls set
      status = ${final.status},
      status_source = ${call.end_requested_at ? 'manual' : source},
      answered_at = coalesce(${final.answeredAt ?? null}::timestamptz, answered_at),
      ended_at = ${final.endedAt ?? null}::timestamptz,
      duration_seconds = ${final.durationSeconds ?? null}::integer
    where id = ${call.id} and status = ${call.status}
    returning *`;
  return row;
}

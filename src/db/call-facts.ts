import type { StatusSource } from '../core/call-status.js';
import type { CallFacts } from '../core/twilio-status.js';
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
}

/**
 * Applies what a provider reported: the status through the status machine (a late or repeated
 * status changes nothing, ST1-ST2), then the same-status facts.
 */
export async function applyCallFacts(db: Queryable, callId: string, facts: CallFacts & { callSid?: string | undefined }, source: StatusSource): Promise<AppliedFacts> {
  const moved = await updateCallStatus(db, callId, {
    status: facts.status,
    statusSource: source,
    ...(facts.lastError === undefined ? {} : { lastError: facts.lastError }),
    ...(facts.answeredAt === undefined ? {} : { answeredAt: facts.answeredAt }),
    ...(facts.endedAt === undefined ? {} : { endedAt: facts.endedAt }),
    ...(facts.answeredBy === undefined ? {} : { answeredBy: facts.answeredBy }),
    ...(facts.durationSeconds === undefined ? {} : { durationSeconds: facts.durationSeconds }),
    ...(facts.recordingUrl === undefined ? {} : { recordingUrl: facts.recordingUrl }),
  });
  const noted = await recordCallFacts(db, callId, { callSid: facts.callSid, answeredBy: facts.answeredBy, recordingUrl: facts.recordingUrl });
  return { row: noted ?? moved, hasMoved: moved !== undefined };
}

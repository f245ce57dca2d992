import type { CallStatus, StatusSource } from '../core/call-status.js';
import type { ActiveCall } from '../core/rows.js';
import type { Queryable } from './database.js';

export type ActiveCallRow = ActiveCall<Date>;

export interface NewCall {
  userEmail: string;
  callSid: string | null;
  lineNumber: number;
  toNumber: string;
  /** Digits dialed after the answer; none when absent. */
  extension?: string | null | undefined;
  leadId: string | null;
  leadName: string | null;
  sessionId: string | null;
  provider: 'mock' | 'twilio';
  statusSource: StatusSource;
  amdEnabled: boolean;
  recordingEnabled: boolean;
  mockSeed: number | null;
  mockConfig: Record<string, unknown> | null;
  /** What the dial gate decided (src/db/dial-gate.ts): the lead's list, the facts, the recording decision. */
  listId?: string | null | undefined;
  compliance?: Record<string, unknown> | undefined;
  recordingDecision?: 'off' | 'recorded' | 'recorded_after_notice' | 'not_recorded_consent' | undefined;
}

/** Inserts a call in `dialing`; undefined when the line already has a live call. */
export async function insertActiveCall(db: Queryable, call: NewCall): Promise<ActiveCallRow | undefined> {
  const [row] = await db.sql<ActiveCallRow>`
    insert into active_calls (user_email, call_sid, line_number, to_number, extension, lead_id, lead_name, session_id,
      provider, is_mock, status_source, amd_enabled, recording_enabled, mock_seed, mock_config, list_id, compliance, recording_decision)
    values (${call.userEmail}, ${call.callSid}, ${call.lineNumber}, ${call.toNumber}, ${call.extension ?? null}, ${call.leadId}, ${call.leadName},
      ${call.sessionId}, ${call.provider}, ${call.provider === 'mock'}, ${call.statusSource}, ${call.amdEnabled},
      ${call.recordingEnabled}, ${call.mockSeed}, ${call.mockConfig === null ? null : JSON.stringify(call.mockConfig)}::text::jsonb,
      ${call.listId ?? null}::uuid, ${JSON.stringify(call.compliance ?? {})}::text::jsonb, ${call.recordingDecision ?? 'off'})
    on conflict do nothing
    returning *`;
  return row;
}

export interface CallUpdate {
  status: CallStatus;
  statusSource: StatusSource;
  lastError?: string | null;
  answeredAt?: Date;
  endedAt?: Date;
  answeredBy?: string | null;
  durationSeconds?: number;
  recordingUrl?: string;
}

/**
 * Moves a call to a status. The database ignores an illegal or late move (ST1, ST2), in which
 * case this returns undefined and the row is as it was.
 */
export async function updateCallStatus(db: Queryable, callId: string, update: CallUpdate): Promise<ActiveCallRow | undefined> {
  const [row] = await db.sql<ActiveCallRow>`
    update active_calls set
      status = ${update.status},
      status_source = ${update.statusSource},
      last_error = coalesce(${update.lastError ?? null}::text, last_error),
      answered_at = coalesce(answered_at, ${update.answeredAt ?? null}::timestamptz),
      ended_at = coalesce(${update.endedAt ?? null}::timestamptz, ended_at),
      answered_by = coalesce(${update.answeredBy ?? null}::text, answered_by),
      duration_seconds = coalesce(${update.durationSeconds ?? null}::integer, duration_seconds),
      recording_url = coalesce(${update.recordingUrl ?? null}::text, recording_url)
    where id = ${callId} and status <> ${update.status}
    returning *`;
  return row;
}

export async function findCallBySid(db: Queryable, callSid: string): Promise<ActiveCallRow | undefined> {
  const [row] = await db.sql<ActiveCallRow>`select * from active_calls where call_sid = ${callSid}`;
  return row;
}

export async function findCallById(db: Queryable, callId: string): Promise<ActiveCallRow | undefined> {
  const [row] = await db.sql<ActiveCallRow>`select * from active_calls where id = ${callId}`;
  return row;
}

export async function listUnfinishedCalls(db: Queryable, provider: 'mock' | 'twilio'): Promise<ActiveCallRow[]> {
  return db.sql<ActiveCallRow>`
    select * from active_calls
    where provider = ${provider} and status in ('dialing', 'ringing', 'in-progress')
    order by started_at`;
}

/** Reads a call and locks it until the transaction ends, so facts about one call apply one at a time. */
export async function lockCall(db: Queryable, callId: string): Promise<ActiveCallRow | undefined> {
  const [row] = await db.sql<ActiveCallRow>`select * from active_calls where id = ${callId} for update`;
  return row;
}

/** Notes that the rep asked to end a live call; undefined when the call had already ended. */
export async function requestCallEnd(db: Queryable, callId: string): Promise<ActiveCallRow | undefined> {
  const [row] = await db.sql<ActiveCallRow>`
    update active_calls set end_requested_at = coalesce(end_requested_at, now())
    where id = ${callId} and not dialer_is_terminal(status)
    returning *`;
  return row;
}

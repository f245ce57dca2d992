import type { Queryable } from './database.js';

export type TwilioLogDirection = 'request' | 'response' | 'webhook';

export interface TwilioLogEntry {
  readonly direction: TwilioLogDirection;
  /** What was asked or reported: `calls.create`, `calls.update`, `calls.fetch`, `status`, `amd`, `recording`, `answer`, `dial-result`. */
  readonly event: string;
  readonly callSid: string | null;
  readonly activeCallId: string | null;
  readonly sequenceNumber?: number | null;
  readonly isSignatureValid?: boolean | null;
  /** What we made of it: `created`, `refused`, `moved`, `unchanged`, `duplicate`, `unknown_call`, ... */
  readonly outcome: string | null;
  readonly payload: Record<string, unknown>;
}

/** Keeps one provider request, response or webhook, raw, in the order received. */
export async function insertTwilioLog(db: Queryable, entry: TwilioLogEntry): Promise<void> {
  await db.sql`
    insert into twilio_call_logs (direction, event, call_sid, active_call_id, sequence_number, is_signature_valid, outcome, payload)
    values (${entry.direction}, ${entry.event}, ${entry.callSid}, ${entry.activeCallId}, ${entry.sequenceNumber ?? null},
      ${entry.isSignatureValid ?? null}, ${entry.outcome}, ${JSON.stringify(entry.payload)}::text::jsonb)`;
}

/** Whether a status callback with this sequence number was already taken in for the call. */
export async function hasStatusCallback(db: Queryable, callSid: string, sequenceNumber: number): Promise<boolean> {
  const [row] = await db.sql<{ found: boolean }>`
    select exists (
      select 1 from twilio_call_logs
      where call_sid = ${callSid} and direction = 'webhook' and event = 'status'
        and sequence_number = ${sequenceNumber} and outcome <> 'duplicate'
    ) as found`;
  return row?.found ?? false;
}

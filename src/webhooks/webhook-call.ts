import type { Logger } from 'pino';
import twilio from 'twilio';
import { findCallById, findCallBySid, lockCall, type ActiveCallRow } from '../db/active-calls.js';
import type { Database, Queryable } from '../db/database.js';
import type { TwilioProvider } from '../telephony/twilio/twilio-provider.js';

export interface TwilioWebhookDeps {
  readonly db: Database;
  readonly logger: Logger;
  /** Twilio signs every webhook with the account's auth token. */
  readonly authToken: string;
  /** PUBLIC_URL, the address Twilio was given; undefined means the address each request came in on. */
  readonly publicUrl: string | undefined;
  /** Ends calls at Twilio (a machine answered, or a call we had given up on turned up). */
  readonly calls: Pick<TwilioProvider, 'hangUp'>;
  readonly metrics?: WebhookMetrics | undefined;
}

/**
 * What became of a webhook: refused is a missing or wrong signature, duplicate a repeated status
 * callback, failed a handler that threw (answered 500, so Twilio retries).
 */
export type WebhookOutcome = 'accepted' | 'duplicate' | 'refused' | 'failed';

export interface WebhookMetrics {
  observeWebhook(event: string, outcome: WebhookOutcome, seconds: number): void;
}

/**
 * The row a webhook is about: by our call id from the signed URL (which works before Twilio's
 * CallSid is stored), else by CallSid. A call id whose row has another CallSid is not a match.
 * With `lock` the row is read again and locked until the transaction ends.
 */
export async function findWebhookCall(db: Queryable, callId: string | undefined, callSid: string | undefined, options: { lock?: boolean } = {}): Promise<ActiveCallRow | undefined> {
  const byId = callId ? await findCallById(db, callId) : undefined;
  const found = byId ? (byId.provider === 'twilio' && (!byId.call_sid || !callSid || byId.call_sid === callSid) ? byId : undefined) : callSid ? await findCallBySid(db, callSid) : undefined;
  return found && options.lock ? lockCall(db, found.id) : found;
}

/** TwiML as a response; an empty `<Response/>` acknowledges a callback. */
export function twimlResponse(twiml: twilio.twiml.VoiceResponse = new twilio.twiml.VoiceResponse()): Response {
  return new Response(twiml.toString(), { headers: { 'content-type': 'text/xml; charset=utf-8' } });
}

export function parseInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return undefined;
  return Number.parseInt(value, 10);
}

/** Twilio's RFC 2822 `Timestamp`, or undefined when absent or unreadable. */
export function parseTimestamp(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

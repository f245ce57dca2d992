import { isTerminal } from '../core/call-status.js';
import { interpretCallReport, parseTwilioCallStatus, type TwilioCallStatus } from '../core/twilio-status.js';
import { applyCallFacts } from '../db/call-facts.js';
import { hasStatusCallback, insertTwilioLog } from '../db/twilio-call-logs.js';
import type { SignedWebhook } from './twilio-signature.js';
import { findWebhookCall, parseInteger, parseTimestamp, twimlResponse, type TwilioWebhookDeps } from './webhook-call.js';

const LIVE_AT_TWILIO: readonly TwilioCallStatus[] = ['queued', 'initiated', 'ringing', 'in-progress'];

/** Why a failed call failed, from what Twilio sent with it. */
function failureDetailOf(params: Readonly<Record<string, string>>): string | undefined {
  const parts = [
    params['ErrorCode'] ? `Twilio error ${params['ErrorCode']}${params['ErrorMessage'] ? `: ${params['ErrorMessage']}` : ''}` : undefined,
    params['SipResponseCode'] ? `SIP ${params['SipResponseCode']}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * Call progress from Twilio. Idempotent and order-tolerant (WH2, TR3): a repeated callback (same
 * SequenceNumber) is only recorded, the status machine ignores a late or backward status, and an
 * end finishes the call only once its outcome is known (a `completed` without AnsweredBy waits
 * for the AMD verdict), so any order of delivery leaves the same row and one history row. The
 * row is locked first, so two callbacks for one call apply one after the other.
 */
export async function handleStatusCallback(deps: TwilioWebhookDeps, webhook: SignedWebhook, noteDuplicate: () => void = () => {}): Promise<Response> {
  const { params } = webhook;
  const callSid = params['CallSid'] || undefined;
  const sequenceNumber = parseInteger(params['SequenceNumber']);
  const status = parseTwilioCallStatus(params['CallStatus']);

  const handled = await deps.db.transaction(async (tx) => {
    const call = await findWebhookCall(tx, webhook.callId, callSid, { lock: true });
    const record = (outcome: string) =>
      insertTwilioLog(tx, { direction: 'webhook', event: 'status', callSid: callSid ?? null, activeCallId: call?.id ?? null, sequenceNumber: sequenceNumber ?? null, isSignatureValid: true, outcome, payload: params });
    // Answered 200 all the same, so Twilio stops retrying a call we no longer track.
    if (!call) return void (await record('unknown_call'));
    if (!status) return void (await record('unknown_status'));
    if (callSid && sequenceNumber !== undefined && (await hasStatusCallback(tx, callSid, sequenceNumber))) {
      noteDuplicate();
      return void (await record('duplicate'));
    }

    const facts = interpretCallReport(
      {
        status,
        at: parseTimestamp(params['Timestamp']),
        durationSeconds: parseInteger(params['CallDuration']),
        answeredBy: params['AnsweredBy'] || undefined,
        recordingUrl: params['RecordingUrl'] || undefined,
        failureDetail: failureDetailOf(params),
      },
      { startedAt: call.started_at },
    );
    const applied = await applyCallFacts(tx, call, { ...facts, callSid }, 'webhook');
    await record(applied.isAwaitingVerdict ? 'awaiting_verdict' : applied.hasMoved ? 'moved' : applied.row ? 'facts' : 'unchanged');
    return { call, status };
  });

  // A call we gave up on (Twilio did not confirm it in time) turned up alive: end it at Twilio,
  // since nobody is waiting for it any more. After the commit: side effects come last.
  if (handled && callSid && LIVE_AT_TWILIO.includes(handled.status)) {
    const { call } = handled;
    if (isTerminal(call.status) && call.status === 'failed' && call.status_source === 'system') {
      void deps.calls
        .hangUp(callSid, handled.status === 'in-progress' ? 'completed' : 'canceled', call.id)
        .catch((error: unknown) => deps.logger.error({ err: error, callSid }, 'could not end a call that had been given up'));
    }
  }
  return twimlResponse();
}

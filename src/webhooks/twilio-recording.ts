import { recordCallFacts } from '../db/call-facts.js';
import { insertTwilioLog } from '../db/twilio-call-logs.js';
import type { SignedWebhook } from './twilio-signature.js';
import { findWebhookCall, twimlResponse, type TwilioWebhookDeps } from './webhook-call.js';

/** A recording's status. A completed recording's URL lands on the row and its history row. */
export async function handleRecordingCallback(deps: TwilioWebhookDeps, webhook: SignedWebhook): Promise<Response> {
  const { params } = webhook;
  const callSid = params['CallSid'] || undefined;
  const recordingUrl = params['RecordingStatus'] === 'completed' ? params['RecordingUrl'] || undefined : undefined;

  await deps.db.transaction(async (tx) => {
    const call = await findWebhookCall(tx, webhook.callId, callSid);
    const record = (outcome: string) =>
      insertTwilioLog(tx, { direction: 'webhook', event: 'recording', callSid: callSid ?? null, activeCallId: call?.id ?? null, isSignatureValid: true, outcome, payload: params });
    if (!call) return record('unknown_call');
    if (!recordingUrl) return record(`recording_${params['RecordingStatus'] ?? 'unknown'}`);
    const noted = await recordCallFacts(tx, call.id, { callSid, recordingUrl });
    return record(noted ? 'recorded' : 'unchanged');
  });
  return twimlResponse();
}

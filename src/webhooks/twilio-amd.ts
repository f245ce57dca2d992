import { isTerminal } from '../core/call-status.js';
import { classifyAnsweredBy } from '../core/twilio-status.js';
import { recordCallFacts, settleReportedEnd } from '../db/call-facts.js';
import { loadDialerSettings } from '../db/dialer-settings.js';
import { insertTwilioLog } from '../db/twilio-call-logs.js';
import type { SignedWebhook } from './twilio-signature.js';
import { findWebhookCall, twimlResponse, type TwilioWebhookDeps } from './webhook-call.js';

/**
 * The asynchronous answering-machine verdict. It lands on the row as `answered_by` (the UI shows
 * it at once); a machine makes the call end as `voicemail_detected` when Twilio reports its end.
 * When that end came first, it waited on the row for this verdict, and the call finishes now:
 * the outcome is the same in whatever order the callbacks come (TR3). With the rep's voicemail
 * action `hangup` a live call is ended at Twilio now; with `leave` the rep stays on to leave a
 * message. A power-dial session's call (`session_id`) only gets its verdict recorded: the session
 * runner decides what the machine gets (the list's voicemail drop after the beep, or a hang-up)
 * and does it through the session's legs, so the rep's own voicemail action plays no part.
 */
export async function handleAmdCallback(deps: TwilioWebhookDeps, webhook: SignedWebhook): Promise<Response> {
  const { params } = webhook;
  const callSid = params['CallSid'] || undefined;
  const answeredBy = params['AnsweredBy'] || undefined;
  const kind = classifyAnsweredBy(answeredBy);

  const hangUp = await deps.db.transaction(async (tx) => {
    const call = await findWebhookCall(tx, webhook.callId, callSid, { lock: true });
    const record = (outcome: string) =>
      insertTwilioLog(tx, { direction: 'webhook', event: 'amd', callSid: callSid ?? null, activeCallId: call?.id ?? null, isSignatureValid: true, outcome, payload: params });
    if (!call) return void (await record('unknown_call'));
    if (!kind) return void (await record('unknown_answered_by'));
    const noted = await recordCallFacts(tx, call.id, { callSid, answeredBy });
    const finished = await settleReportedEnd(tx, noted ?? call, 'webhook');
    const settings = await loadDialerSettings(tx, call.user_email, false);
    // Only the first machine verdict hangs up, and only a call Twilio has not reported ended.
    const isSession = call.session_id !== null;
    const shouldHangUp = !isSession && kind === 'machine' && noted !== undefined && !isTerminal(call.status) && call.reported_status === null && settings.voicemail_action === 'hangup';
    await record(shouldHangUp ? 'machine_hangup' : finished ? `${kind}_finished_call` : isSession ? `session_${kind}` : kind);
    return shouldHangUp ? { callId: call.id, callSid: callSid ?? call.call_sid } : undefined;
  });

  if (hangUp?.callSid) {
    const { callSid: sid, callId } = hangUp;
    void deps.calls.hangUp(sid, 'completed', callId).catch((error: unknown) => deps.logger.error({ err: error, callSid: sid }, 'could not hang up on a machine'));
  }
  return twimlResponse();
}

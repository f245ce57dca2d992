import twilio from 'twilio';
import { isAbandoned, isAnsweredByPerson, safeHarborMessage } from '../core/abandonment.js';
import { isTerminal } from '../core/call-status.js';
import { isRecorded } from '../core/recording-consent.js';
import { E164_PATTERN } from '../core/rows.js';
import { markAbandoned, markSafeHarborPlayed, readCallCompliance } from '../db/abandonment.js';
import { addToDoNotCall } from '../db/do-not-call.js';
import { loadDialerSettings } from '../db/dialer-settings.js';
import { insertTwilioLog } from '../db/twilio-call-logs.js';
import { findUserByEmail } from '../db/users.js';
import { clientIdentityFor } from '../telephony/twilio/voice-token.js';
import type { SignedWebhook } from './twilio-signature.js';
import { twilioWebhookUrl } from './twilio-webhook-urls.js';
import { findWebhookCall, twimlResponse, type TwilioWebhookDeps } from './webhook-call.js';

/** Seconds the rep's browser rings before the call goes to their forward-to number. */
export const BROWSER_RING_SECONDS = 20;

/**
 * Seconds the rep's browser rings when there is no number to go on to. The callee has answered
 * and waits: past two seconds the call is abandoned (47 CFR 64.1200(a)(7)) and must hear the
 * safe-harbor message, so the browser gets only a few seconds to take it.
 */
export const REP_ANSWER_SECONDS = 5;

/**
 * The key an abandoned callee presses during the safe-harbor message to be put on the do-not-call
 * list at once (47 CFR 64.1200(a)(7)(i)(B): an automated, key-press-activated opt-out).
 */
export const OPT_OUT_KEY = '9';

/** Seconds Twilio waits for that key after the message before hanging up. */
export const OPT_OUT_WAIT_SECONDS = 5;

/** Dial outcomes after which nothing more is tried (`<Dial action>`'s DialCallStatus). */
const DIAL_DONE = new Set(['completed', 'answered']);

const hangUpTwiml = () => {
  const twiml = new twilio.twiml.VoiceResponse();
  twiml.hangup();
  return twiml;
};

/**
 * The TwiML for an answered call: bridge it to the rep's browser (the identity their Voice token
 * carries). When the rep has a forward-to number, the browser rings for a while and, if it does
 * not take the call (no browser connected), `dial-result` sends the call to that number; without
 * one, `dial-result` plays the safe-harbor message. The lead's number is shown as the caller, so
 * the rep sees who is on the line.
 *
 * Recording follows the call's decision (src/core/recording-consent.ts, taken when the call was
 * placed): `recorded_after_notice` first plays the workspace's consent notice; the two recorded
 * decisions record the bridged call from the rep's answer (`<Dial record>`), so nothing said
 * before the notice or before a rep is on the line is recorded; `off` and `not_recorded_consent`
 * record nothing.
 */
export async function handleAnswer(deps: TwilioWebhookDeps, webhook: SignedWebhook, request: Request): Promise<Response> {
  const { params } = webhook;
  const callSid = params['CallSid'] || undefined;
  const call = await findWebhookCall(deps.db, webhook.callId, callSid);
  const user = call ? await findUserByEmail(deps.db, call.user_email) : undefined;
  const record = (outcome: string) =>
    insertTwilioLog(deps.db, { direction: 'webhook', event: 'answer', callSid: callSid ?? null, activeCallId: call?.id ?? null, isSignatureValid: true, outcome, payload: params });
  if (!call || !user || isTerminal(call.status)) {
    await record(call ? 'call_over' : 'unknown_call');
    return twimlResponse(hangUpTwiml());
  }
  const [settings, compliance] = await Promise.all([loadDialerSettings(deps.db, call.user_email, false), readCallCompliance(deps.db, call.id)]);
  const decision = compliance?.recordingDecision ?? 'off';
  const twiml = new twilio.twiml.VoiceResponse();
  const base = deps.publicUrl ?? new URL(request.url).origin;
  if (decision === 'recorded_after_notice' && compliance) twiml.say(compliance.consentNotice);
  const dial = twiml.dial({
    callerId: call.to_number,
    action: twilioWebhookUrl(base, 'dialResult', call.id),
    method: 'POST',
    timeout: settings.forward_to_number ? BROWSER_RING_SECONDS : REP_ANSWER_SECONDS,
    ...(isRecorded(decision)
      ? {
          record: 'record-from-answer-dual' as const,
          recordingStatusCallback: twilioWebhookUrl(base, 'recording', call.id),
          recordingStatusCallbackMethod: 'POST' as const,
          recordingStatusCallbackEvent: ['completed' as const],
        }
      : {}),
  });
  dial.client(clientIdentityFor(user.id));
  await record(`${settings.forward_to_number ? 'dial_client_then_number' : 'dial_client'}; recording ${decision}`);
  return twimlResponse(twiml);
}

/**
 * After the browser leg: done if the rep took the call; else on to the forward-to number; else
 * the callee, who answered and has no rep, is abandoned (47 CFR 64.1200(a)(7)): they hear the
 * safe-harbor message (who is calling and a number to opt out, 47 CFR 64.1200(a)(7)(i)(A);
 * 16 CFR 310.4(b)(4)(iii)) and the call hangs up. The abandonment and the moment the message
 * started are recorded on the call (markAbandoned) in the transaction that logs the webhook.
 * A callee who hung up while the browser rang was abandoned too if they had waited past the
 * two seconds (nothing is played to them then). An answering-machine verdict is never abandoned.
 */
export async function handleDialResult(deps: TwilioWebhookDeps, webhook: SignedWebhook, request: Request): Promise<Response> {
  const { params } = webhook;
  const callSid = params['CallSid'] || undefined;
  const dialStatus = params['DialCallStatus'] ?? '';
  const now = new Date();
  const call = await findWebhookCall(deps.db, webhook.callId, callSid);
  const settings = call ? await loadDialerSettings(deps.db, call.user_email, false) : undefined;
  const forwardTo = settings?.forward_to_number ?? undefined;
  const isRepOnLine = DIAL_DONE.has(dialStatus);
  // The callee hung up during the Dial: Twilio ends the Dial and asks its action at that moment,
  // with the call's own CallStatus, often before the status callback has ended our row.
  const isOver = !call || isTerminal(call.status) || (params['CallStatus'] !== undefined && params['CallStatus'] !== 'in-progress');
  const isPerson = call !== undefined && isAnsweredByPerson(call.answered_by);
  const wasAbandoned =
    call !== undefined &&
    !isRepOnLine &&
    call.answered_at !== null &&
    isPerson &&
    (!isOver || isAbandoned({ answeredAt: call.answered_at, connectedAt: null, endedAt: call.ended_at ?? now, answeredBy: call.answered_by }, now));
  const playsSafeHarbor = call !== undefined && !isOver && !isRepOnLine && !forwardTo;
  const outcome = isRepOnLine || !call ? 'done' : forwardTo && !isOver ? 'dial_number' : playsSafeHarbor ? 'safe_harbor' : wasAbandoned ? 'abandoned' : 'done';

  const compliance = playsSafeHarbor && call ? await readCallCompliance(deps.db, call.id) : undefined;
  await deps.db.transaction(async (tx) => {
    if (call && wasAbandoned && (outcome === 'safe_harbor' || outcome === 'abandoned')) {
      await markAbandoned(tx, call.id, now, { reason: 'rep_unavailable', ...(playsSafeHarbor ? { safeHarborAt: now } : {}) });
    } else if (call && outcome === 'safe_harbor' && compliance) {
      // A machine's verdict came first: not abandoned, but the message plays and history says so.
      await markSafeHarborPlayed(tx, call.id, now);
    }
    await insertTwilioLog(tx, { direction: 'webhook', event: 'dial-result', callSid: callSid ?? null, activeCallId: call?.id ?? null, isSignatureValid: true, outcome, payload: params });
  });

  if (outcome === 'dial_number' && call && forwardTo) {
    const twiml = new twilio.twiml.VoiceResponse();
    twiml.dial({ callerId: call.to_number }).number(forwardTo);
    return twimlResponse(twiml);
  }
  if (outcome === 'safe_harbor' && compliance && call) {
    // The caller ID the callee saw (Twilio's From on an outbound call), which reaches us.
    const from = params['From'] ?? '';
    const callerId = E164_PATTERN.test(from) ? from : (settings?.caller_id ?? null);
    const twiml = new twilio.twiml.VoiceResponse();
    const base = deps.publicUrl ?? new URL(request.url).origin;
    // The message plays inside a Gather, so the opt-out key works while it plays; no key: hang up.
    twiml
      .gather({ numDigits: 1, timeout: OPT_OUT_WAIT_SECONDS, action: twilioWebhookUrl(base, 'optOut', call.id), method: 'POST', actionOnEmptyResult: false })
      .say(safeHarborMessage({ callerName: compliance.callerName, optOutNumber: compliance.optOutNumber ?? callerId, optOutKey: OPT_OUT_KEY }));
    twiml.hangup();
    return twimlResponse(twiml);
  }
  return twimlResponse(hangUpTwiml());
}

/**
 * The key the abandoned callee pressed during the safe-harbor message. OPT_OUT_KEY puts the
 * called number on the workspace's do-not-call list (one `dnc_added` compliance event, as every
 * addition) and ends the call at once, as 47 CFR 64.1200(a)(7)(i)(B) requires; any other key
 * just ends it. A repeated request adds nothing twice (the list keeps a number's first entry).
 */
export async function handleOptOut(deps: TwilioWebhookDeps, webhook: SignedWebhook): Promise<Response> {
  const { params } = webhook;
  const callSid = params['CallSid'] || undefined;
  const digits = params['Digits'] ?? '';
  await deps.db.transaction(async (tx) => {
    const call = await findWebhookCall(tx, webhook.callId, callSid);
    const isOptOut = call !== undefined && digits === OPT_OUT_KEY;
    const added = isOptOut
      ? await addToDoNotCall(tx, { userEmail: call.user_email, numbers: [call.to_number], source: 'opt_out', note: `The callee pressed ${OPT_OUT_KEY} during the safe-harbor message of an abandoned call.` })
      : undefined;
    const outcome = !call ? 'unknown_call' : !isOptOut ? 'no_opt_out' : added && added.added > 0 ? 'do_not_call_added' : 'already_listed';
    await insertTwilioLog(tx, { direction: 'webhook', event: 'opt-out', callSid: callSid ?? null, activeCallId: call?.id ?? null, isSignatureValid: true, outcome, payload: params });
  });
  return twimlResponse(hangUpTwiml());
}

import { isAbandoned, isAnsweredByPerson, safeHarborMessage } from '../core/abandonment.js';
import { isTerminal } from '../core/call-status.js';
import { E164_PATTERN } from '../core/rows.js';
import { markAbandoned, markSafeHarborPlayed, readCallCompliance } from '../db/abandonment.js';
import { addToDoNotCall } from '../db/do-not-call.js';
import { loadDialerSettings } from '../db/dialer-settings.js';
import { insertTwilioLog } from '../db/twilio-call-logs.js';
import { dialNumberTwiml, hangUpTwiml, loadBridgeTwiml, OPT_OUT_KEY, safeHarborTwiml, sessionHoldTwiml } from '../telephony/twilio/call-twiml.js';
import type { SignedWebhook } from './twilio-signature.js';
import { findWebhookCall, twimlResponse, type TwilioWebhookDeps } from './webhook-call.js';

export { BROWSER_RING_SECONDS, OPT_OUT_KEY, OPT_OUT_WAIT_SECONDS, REP_ANSWER_SECONDS, SESSION_HOLD_SECONDS } from '../telephony/twilio/call-twiml.js';

/** Dial outcomes after which nothing more is tried (`<Dial action>`'s DialCallStatus). */
const DIAL_DONE = new Set(['completed', 'answered']);

/**
 * The TwiML for an answered call. A hand-dialed call is bridged to the rep (bridgeTwiml in
 * src/telephony/twilio/call-twiml.ts: their browser, then their forward-to number; the consent
 * notice and recording as the call's recording decision says).
 *
 * A power-dial session's call (`session_id`) is not bridged here: several lines may answer at
 * once and the session decides, once, in the database, which human gets the rep (DESIGN PD1).
 * The callee is held in silence (sessionHoldTwiml) and the session runner redirects the call
 * (bridge, safe-harbor message or voicemail drop, src/telephony/twilio/session-legs.ts) within a
 * pass of knowing who answered.
 */
export async function handleAnswer(deps: TwilioWebhookDeps, webhook: SignedWebhook, request: Request): Promise<Response> {
  const { params } = webhook;
  const callSid = params['CallSid'] || undefined;
  const call = await findWebhookCall(deps.db, webhook.callId, callSid);
  const record = (outcome: string) =>
    insertTwilioLog(deps.db, { direction: 'webhook', event: 'answer', callSid: callSid ?? null, activeCallId: call?.id ?? null, isSignatureValid: true, outcome, payload: params });
  if (!call || isTerminal(call.status)) {
    await record(call ? 'call_over' : 'unknown_call');
    return twimlResponse(hangUpTwiml());
  }
  if (call.session_id !== null) {
    await record('session_hold');
    return twimlResponse(sessionHoldTwiml());
  }
  const bridge = await loadBridgeTwiml(deps.db, call, deps.publicUrl ?? new URL(request.url).origin);
  if (!bridge) {
    await record('call_over');
    return twimlResponse(hangUpTwiml());
  }
  await record(bridge.outcome);
  return twimlResponse(bridge.twiml);
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
    return twimlResponse(dialNumberTwiml(call, forwardTo));
  }
  if (outcome === 'safe_harbor' && compliance && call) {
    // The caller ID the callee saw (Twilio's From on an outbound call), which reaches us.
    const from = params['From'] ?? '';
    const callerId = E164_PATTERN.test(from) ? from : (settings?.caller_id ?? null);
    const message = safeHarborMessage({ callerName: compliance.callerName, optOutNumber: compliance.optOutNumber ?? callerId, optOutKey: OPT_OUT_KEY });
    return twimlResponse(safeHarborTwiml(deps.publicUrl ?? new URL(request.url).origin, call.id, message));
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

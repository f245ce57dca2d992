import twilio from 'twilio';
import { isTerminal } from '../core/call-status.js';
import { loadDialerSettings } from '../db/dialer-settings.js';
import { insertTwilioLog } from '../db/twilio-call-logs.js';
import { findUserByEmail } from '../db/users.js';
import { clientIdentityFor } from '../telephony/twilio/voice-token.js';
import type { SignedWebhook } from './twilio-signature.js';
import { twilioWebhookUrl } from './twilio-webhook-urls.js';
import { findWebhookCall, twimlResponse, type TwilioWebhookDeps } from './webhook-call.js';

/** Seconds the rep's browser rings before the call goes to their forward-to number. */
export const BROWSER_RING_SECONDS = 20;

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
 * not take the call (no browser connected), `dial-result` sends the call to that number. The
 * lead's number is shown as the caller, so the rep sees who is on the line.
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
  const settings = await loadDialerSettings(deps.db, call.user_email, false);
  const twiml = new twilio.twiml.VoiceResponse();
  const base = deps.publicUrl ?? new URL(request.url).origin;
  const dial = twiml.dial({
    callerId: call.to_number,
    ...(settings.forward_to_number ? { action: twilioWebhookUrl(base, 'dialResult', call.id), method: 'POST' as const, timeout: BROWSER_RING_SECONDS } : {}),
  });
  dial.client(clientIdentityFor(user.id));
  await record(settings.forward_to_number ? 'dial_client_then_number' : 'dial_client');
  return twimlResponse(twiml);
}

/** After the browser leg: done if the rep took the call, else on to the forward-to number. */
export async function handleDialResult(deps: TwilioWebhookDeps, webhook: SignedWebhook): Promise<Response> {
  const { params } = webhook;
  const callSid = params['CallSid'] || undefined;
  const call = await findWebhookCall(deps.db, webhook.callId, callSid);
  const settings = call ? await loadDialerSettings(deps.db, call.user_email, false) : undefined;
  const forwardTo = settings?.forward_to_number ?? undefined;
  const isDone = DIAL_DONE.has(params['DialCallStatus'] ?? '') || !call || isTerminal(call.status) || !forwardTo;
  await insertTwilioLog(deps.db, {
    direction: 'webhook',
    event: 'dial-result',
    callSid: callSid ?? null,
    activeCallId: call?.id ?? null,
    isSignatureValid: true,
    outcome: isDone ? 'done' : 'dial_number',
    payload: params,
  });
  if (isDone || !call || !forwardTo) return twimlResponse(hangUpTwiml());
  const twiml = new twilio.twiml.VoiceResponse();
  twiml.dial({ callerId: call.to_number }).number(forwardTo);
  return twimlResponse(twiml);
}

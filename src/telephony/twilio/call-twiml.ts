import twilio from 'twilio';
import { isRecorded } from '../../core/recording-consent.js';
import type { ActiveCallRow } from '../../db/active-calls.js';
import { readCallCompliance } from '../../db/abandonment.js';
import type { Queryable } from '../../db/database.js';
import { loadDialerSettings } from '../../db/dialer-settings.js';
import { findUserByEmail } from '../../db/users.js';
import { twilioWebhookUrl } from '../../webhooks/twilio-webhook-urls.js';
import { clientIdentityFor } from './voice-token.js';

/**
 * The TwiML our calls are given, built once for every way it reaches Twilio: the answer webhook
 * and the dial-result webhook answer with it (hand-dialed calls), and a power-dial session's
 * legs send it with a Call update (`Twiml`, src/telephony/twilio/session-legs.ts).
 */

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

/**
 * Seconds a power-dial session's answered callee is held in silence while the session decides
 * (rep, safe-harbor message or voicemail drop): longer than answering-machine detection may take
 * (MachineDetectionTimeout, 30 s by default, then AnsweredBy `unknown`) plus the session's passes.
 * The session redirects the call within a pass of the verdict; should it never (the server
 * stopped), the call hangs up after this.
 */
export const SESSION_HOLD_SECONDS = 60;

export function hangUpTwiml(): twilio.twiml.VoiceResponse {
  const twiml = new twilio.twiml.VoiceResponse();
  twiml.hangup();
  return twiml;
}

/** What the bridge needs to know about the call, read from the database (loadBridgeTwiml). */
export interface BridgeFacts {
  /** The rep's Voice SDK identity (clientIdentityFor). */
  readonly clientIdentity: string;
  readonly forwardToNumber: string | null;
  readonly recordingDecision: 'off' | 'recorded' | 'recorded_after_notice' | 'not_recorded_consent';
  /** Said first when the decision is `recorded_after_notice`. */
  readonly consentNotice: string | null;
}

/**
 * The TwiML that bridges an answered call to the rep's browser (the identity their Voice token
 * carries). When the rep has a forward-to number, the browser rings for BROWSER_RING_SECONDS and,
 * if it does not take the call, `dial-result` sends the call to that number; without one, the
 * browser gets REP_ANSWER_SECONDS and `dial-result` plays the safe-harbor message. The lead's
 * number is shown as the caller, so the rep sees who is on the line.
 *
 * Recording follows the call's decision (src/core/recording-consent.ts, taken when the call was
 * placed): `recorded_after_notice` first says the workspace's consent notice; the two recorded
 * decisions record the bridged call from the rep's answer (`<Dial record>`), so nothing said
 * before the notice or before a rep is on the line is recorded; `off` and `not_recorded_consent`
 * record nothing.
 */
export function bridgeTwiml(baseUrl: string, call: Pick<ActiveCallRow, 'id' | 'to_number'>, facts: BridgeFacts): twilio.twiml.VoiceResponse {
  const twiml = new twilio.twiml.VoiceResponse();
  if (facts.recordingDecision === 'recorded_after_notice' && facts.consentNotice !== null) twiml.say(facts.consentNotice);
  const dial = twiml.dial({
    callerId: call.to_number,
    action: twilioWebhookUrl(baseUrl, 'dialResult', call.id),
    method: 'POST',
    timeout: facts.forwardToNumber ? BROWSER_RING_SECONDS : REP_ANSWER_SECONDS,
    ...(isRecorded(facts.recordingDecision)
      ? {
          record: 'record-from-answer-dual' as const,
          recordingStatusCallback: twilioWebhookUrl(baseUrl, 'recording', call.id),
          recordingStatusCallbackMethod: 'POST' as const,
          recordingStatusCallbackEvent: ['completed' as const],
        }
      : {}),
  });
  dial.client(facts.clientIdentity);
  return twiml;
}

/**
 * The bridge TwiML for a call, with the facts read from the database, and the words the webhook
 * log records for it (`dial_client` or `dial_client_then_number`, and the recording decision).
 * Undefined when the call's rep no longer exists.
 */
export async function loadBridgeTwiml(db: Queryable, call: ActiveCallRow, baseUrl: string): Promise<{ twiml: twilio.twiml.VoiceResponse; outcome: string } | undefined> {
  const user = await findUserByEmail(db, call.user_email);
  if (!user) return undefined;
  const [settings, compliance] = await Promise.all([loadDialerSettings(db, call.user_email, false), readCallCompliance(db, call.id)]);
  const recordingDecision = compliance?.recordingDecision ?? 'off';
  const forwardToNumber = settings.forward_to_number ?? null;
  const twiml = bridgeTwiml(baseUrl, call, { clientIdentity: clientIdentityFor(user.id), forwardToNumber, recordingDecision, consentNotice: compliance?.consentNotice ?? null });
  return { twiml, outcome: `${forwardToNumber ? 'dial_client_then_number' : 'dial_client'}; recording ${recordingDecision}` };
}

/**
 * The safe-harbor message for an abandoned callee (47 CFR 64.1200(a)(7)(i)), said inside a
 * `<Gather>` so OPT_OUT_KEY works while it plays (its action: the `opt-out` webhook); without a
 * key, Twilio waits OPT_OUT_WAIT_SECONDS and the call hangs up.
 */
export function safeHarborTwiml(baseUrl: string, callId: string, message: string): twilio.twiml.VoiceResponse {
  const twiml = new twilio.twiml.VoiceResponse();
  twiml.gather({ numDigits: 1, timeout: OPT_OUT_WAIT_SECONDS, action: twilioWebhookUrl(baseUrl, 'optOut', callId), method: 'POST', actionOnEmptyResult: false }).say(message);
  twiml.hangup();
  return twiml;
}

/** A voicemail drop after the machine's beep: the list's message, then hang up. */
export function voicemailDropTwiml(message: string): twilio.twiml.VoiceResponse {
  const twiml = new twilio.twiml.VoiceResponse();
  twiml.say(message);
  twiml.hangup();
  return twiml;
}

/** A power-dial session's answered callee waits in silence for the session's decision (SESSION_HOLD_SECONDS). */
export function sessionHoldTwiml(): twilio.twiml.VoiceResponse {
  const twiml = new twilio.twiml.VoiceResponse();
  twiml.pause({ length: SESSION_HOLD_SECONDS });
  twiml.hangup();
  return twiml;
}

/** The rep's browser did not take the call: on to their forward-to number, the lead's number shown as the caller. */
export function dialNumberTwiml(call: Pick<ActiveCallRow, 'to_number'>, forwardToNumber: string): twilio.twiml.VoiceResponse {
  const twiml = new twilio.twiml.VoiceResponse();
  twiml.dial({ callerId: call.to_number }).number(forwardToNumber);
  return twiml;
}

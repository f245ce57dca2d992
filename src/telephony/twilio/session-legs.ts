import type { Logger } from 'pino';
import { findCallById, type ActiveCallRow } from '../../db/active-calls.js';
import type { Database } from '../../db/database.js';
import { insertTwilioLog } from '../../db/twilio-call-logs.js';
import type { SessionLegs } from '../session-legs.js';
import { loadBridgeTwiml, safeHarborTwiml, voicemailDropTwiml } from './call-twiml.js';
import { readTwilioFailure, type TwilioCall, type TwilioCallsApi } from './twilio-client.js';
import type { TwilioProvider } from './twilio-provider.js';

/**
 * Twilio's answers to a redirect of a call that is no longer up (or not up yet): 21220 "Call is
 * not in-progress. Cannot redirect.", 20404 no such call. Nothing to do: the call's own end
 * reports follow, and the runner's row already says what was meant.
 */
const NOT_LIVE_CODES = new Set([20404, 21220]);

export interface TwilioSessionLegsOptions {
  readonly db: Database;
  readonly calls: TwilioCallsApi;
  /** Ends calls, logging each request (TwilioProvider.hangUp: a cancel that finds the call answered completes it). */
  readonly provider: Pick<TwilioProvider, 'hangUp'>;
  readonly logger: Logger;
  /** Where Twilio reaches our webhooks (the actions in the TwiML): PUBLIC_URL, else the listening address. */
  readonly webhookBaseUrl: () => string;
}

/**
 * A power-dial session's legs in production mode (issue 14; DESIGN PD1): each acts on one of the
 * session's calls through Twilio's Call update, after the session runner has written what it
 * decided. A held callee (the answer webhook's sessionHoldTwiml) is redirected to new TwiML
 * given inline (`Twiml`), the same TwiML a hand-dialed call gets from our webhooks
 * (src/telephony/twilio/call-twiml.ts); a call is ended with `Status` (`canceled` before the
 * answer, `completed` after). Every request and answer is kept in `twilio_call_logs` (event
 * `calls.update`). A failure throws for the runner to log; a call already over is no failure.
 */
export function createTwilioSessionLegs(options: TwilioSessionLegsOptions): SessionLegs {
  const { db, calls, provider, logger } = options;

  const log = (entry: Parameters<typeof insertTwilioLog>[1]) =>
    insertTwilioLog(db, entry).catch((error: unknown) => logger.error({ err: error, event: entry.event }, 'could not record a Twilio exchange'));

  /** The call's CallSid, read again when the row in hand predates it (placeCall stores it after Twilio answers). */
  async function callSidOf(call: ActiveCallRow): Promise<string> {
    const sid = call.call_sid ?? (await findCallById(db, call.id))?.call_sid;
    if (!sid) throw new Error(`session call ${call.id} has no CallSid yet: Twilio has not confirmed it`);
    return sid;
  }

  /** Redirects an answered call to `twiml` (what: the leg, in the log). */
  async function redirect(call: ActiveCallRow, what: string, twiml: string): Promise<void> {
    const callSid = await callSidOf(call);
    await log({ direction: 'request', event: 'calls.update', callSid, activeCallId: call.id, outcome: null, payload: { leg: what, twiml } });
    let updated: TwilioCall;
    try {
      updated = await calls(callSid).update({ twiml });
    } catch (error) {
      const failure = readTwilioFailure(error);
      const isNotLive = failure.kind === 'refused' && failure.twilioCode !== undefined && NOT_LIVE_CODES.has(failure.twilioCode);
      await log({ direction: 'response', event: 'calls.update', callSid, activeCallId: call.id, outcome: isNotLive ? 'not_in_progress' : 'failed', payload: { leg: what, ...failure } });
      if (isNotLive) return;
      throw error;
    }
    await log({
      direction: 'response',
      event: 'calls.update',
      callSid,
      activeCallId: call.id,
      outcome: 'updated',
      payload: { leg: what, sid: updated.sid, status: updated.status, answeredBy: updated.answeredBy },
    });
  }

  async function end(call: ActiveCallRow, status: 'canceled' | 'completed'): Promise<void> {
    await provider.hangUp(await callSidOf(call), status, call.id);
  }

  return {
    async bridge(call) {
      const bridge = await loadBridgeTwiml(db, call, options.webhookBaseUrl());
      if (!bridge) throw new Error(`session call ${call.id}: its rep no longer exists, so there is nobody to bridge to`);
      await redirect(call, `bridge (${bridge.outcome})`, bridge.twiml.toString());
    },

    async playSafeHarbor(call, message) {
      await redirect(call, 'safe_harbor', safeHarborTwiml(options.webhookBaseUrl(), call.id, message).toString());
    },

    async dropVoicemail(call, message) {
      if (message === null) await end(call, 'completed');
      else await redirect(call, 'voicemail_drop', voicemailDropTwiml(message).toString());
    },

    async hangUp(call) {
      await end(call, call.answered_at !== null || call.status === 'in-progress' ? 'completed' : 'canceled');
    },
  };
}

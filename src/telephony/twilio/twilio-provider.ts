import type { Logger } from 'pino';
import { isTerminal } from '../../core/call-status.js';
import { fail, ok } from '../../core/errors.js';
import { describeTwilioFailure, type TwilioFailure } from '../../core/twilio-errors.js';
import { hasVerdictWaitPassed, interpretCallReport, parseTwilioCallStatus, VERDICT_WAIT_MS } from '../../core/twilio-status.js';
import { findCallById, listUnfinishedCalls, lockCall, updateCallStatus, type ActiveCallRow } from '../../db/active-calls.js';
import { applyCallFacts, recordCallFacts, type AppliedFacts } from '../../db/call-facts.js';
import type { Database } from '../../db/database.js';
import { loadDialerSettings } from '../../db/dialer-settings.js';
import { insertTwilioLog } from '../../db/twilio-call-logs.js';
import { twilioWebhookUrl } from '../../webhooks/twilio-webhook-urls.js';
import type { Clock, TelephonyProvider } from '../provider.js';
import { readTwilioFailure, type CreateCallOptions, type TwilioCall, type TwilioCallsApi } from './twilio-client.js';

/** How often the sweeper looks for calls that stopped getting webhooks. */
export const SWEEP_INTERVAL_MS = 30_000;
/** A live call with no news for this long is fetched from Twilio. */
export const STALE_AFTER_MS = 60_000;
/** A row still without a CallSid this long after it was placed was lost between us and Twilio. */
export const UNCONFIRMED_AFTER_MS = 60_000;
/**
 * A call the rep asked to end with no end from Twilio this long after is fetched: Twilio gives up
 * on a webhook request after 15 s, so its `completed` or `canceled` callback would have come.
 */
export const END_CONFIRM_AFTER_MS = 15_000;

/**
 * What Twilio waits after the answer before it dials an extension as DTMF (SendDigits: `w` is
 * half a second), so a switchboard has picked up and listens for digits.
 */
export const EXTENSION_PAUSE = 'ww';

export const UNCONFIRMED_ERROR = 'The server stopped before Twilio confirmed this call, so it was ended.';
export const UNKNOWN_AT_TWILIO_ERROR = 'Twilio has no record of this call, so it was ended.';

/** Twilio's answers to ending a call that has already ended: nothing left to do. */
const ALREADY_ENDED_CODES = new Set([20404, 21220]);
const LIVE_AT_TWILIO = new Set(['queued', 'initiated', 'ringing', 'in-progress']);

const reportedTimesOf = (call: ActiveCallRow) => ({ answeredAt: call.answered_at, reportedEndedAt: call.reported_ended_at });

export interface TwilioProvider extends TelephonyProvider {
  /**
   * Ends a call at Twilio (cancel before the answer, hang up after) and returns the Call resource
   * Twilio answered with; undefined when the call had already ended there, which is fine.
   */
  hangUp(callSid: string, status: 'canceled' | 'completed', callId: string | null): Promise<TwilioCall | undefined>;
  /** Fetches unfinished calls from Twilio and finishes those Twilio has finished (RS1). */
  reconcile(options?: { onlyStale?: boolean }): Promise<void>;
  /**
   * Waits, at most `timeoutMs`, for the hang-ups under way. Webhooks ask for some after they
   * have answered (a machine to hang up on), and once the row is final no sweep would ask
   * again, so a stopping instance finishes them before it closes the database.
   */
  settle(timeoutMs: number): Promise<void>;
}

export interface TwilioProviderOptions {
  readonly db: Database;
  readonly calls: TwilioCallsApi;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Caller ID when the rep set none in their settings. */
  readonly fromNumber: string;
  /** Where Twilio reaches our webhooks (PUBLIC_URL); read each time a call is placed. */
  readonly webhookBaseUrl: () => string;
  readonly sweepIntervalMs?: number;
  readonly staleAfterMs?: number;
  readonly unconfirmedAfterMs?: number;
  readonly endConfirmAfterMs?: number;
  /** How long an ended call waits for its answering-machine verdict (VERDICT_WAIT_MS). */
  readonly verdictWaitMs?: number;
}

const callSummary = (call: TwilioCall) => ({ sid: call.sid, status: call.status, endTime: call.endTime, duration: call.duration, answeredBy: call.answeredBy });

/**
 * Production mode's provider: places calls through twilio-node, and keeps every request and
 * response in `twilio_call_logs`. Progress arrives as webhooks (src/webhooks); this provider
 * also fetches calls whose webhooks stopped coming and finishes them from Twilio's state.
 */
export function createTwilioProvider(options: TwilioProviderOptions): TwilioProvider {
  const { db, calls, clock, logger } = options;
  const sweepIntervalMs = options.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  const unconfirmedAfterMs = options.unconfirmedAfterMs ?? UNCONFIRMED_AFTER_MS;
  const endConfirmAfterMs = options.endConfirmAfterMs ?? END_CONFIRM_AFTER_MS;
  const verdictWaitMs = options.verdictWaitMs ?? VERDICT_WAIT_MS;
  /** Calls whose create request is under way: the sweeper leaves them alone. */
  const placing = new Set<string>();
  let cancelSweep: (() => void) | undefined;
  let isStopped = false;

  const log = (entry: Parameters<typeof insertTwilioLog>[1]) =>
    insertTwilioLog(db, entry).catch((error: unknown) => logger.error({ err: error, event: entry.event }, 'could not record a Twilio exchange'));

  function createOptions(call: ActiveCallRow, from: string, voicemailAction: 'hangup' | 'leave'): CreateCallOptions {
    const base = options.webhookBaseUrl();
    return {
      to: call.to_number,
      from,
      url: twilioWebhookUrl(base, 'answer', call.id),
      method: 'POST',
      statusCallback: twilioWebhookUrl(base, 'status', call.id),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      // Twilio ignores MachineDetection beside SendDigits; such calls are stored without AMD (openCall).
      ...(call.extension ? { sendDigits: `${EXTENSION_PAUSE}${call.extension}` } : {}),
      ...(call.amd_enabled && !call.extension
        ? {
            // To leave a message the rep needs the end of the greeting; to hang up, the first verdict.
            // A session's call may get the list's voicemail drop, which must start after the beep.
            machineDetection: call.session_id !== null || voicemailAction === 'leave' ? 'DetectMessageEnd' : 'Enable',
            asyncAmd: 'true',
            asyncAmdStatusCallback: twilioWebhookUrl(base, 'amd', call.id),
            asyncAmdStatusCallbackMethod: 'POST',
          }
        : {}),
      // No `record` here: recording starts at the bridge, from the answer TwiML (src/webhooks/twilio-answer.ts),
      // after the consent notice where one is due, and only as the call's recording decision says.
    };
  }

  const hangUpsUnderWay = new Set<Promise<unknown>>();

  function hangUp(callSid: string, status: 'canceled' | 'completed', callId: string | null): Promise<TwilioCall | undefined> {
    const work = hangUpNow(callSid, status, callId);
    hangUpsUnderWay.add(work);
    void work.then(
      () => hangUpsUnderWay.delete(work),
      () => hangUpsUnderWay.delete(work),
    );
    return work;
  }

  async function hangUpNow(callSid: string, status: 'canceled' | 'completed', callId: string | null): Promise<TwilioCall | undefined> {
    await log({ direction: 'request', event: 'calls.update', callSid, activeCallId: callId, outcome: null, payload: { status } });
    try {
      const updated = await calls(callSid).update({ status });
      await log({ direction: 'response', event: 'calls.update', callSid, activeCallId: callId, outcome: 'updated', payload: callSummary(updated) });
      // A cancel does not touch a call that was answered meanwhile: hang that one up.
      if (status === 'canceled' && updated.status === 'in-progress') return await hangUp(callSid, 'completed', callId);
      return updated;
    } catch (error) {
      const failure = readTwilioFailure(error);
      const isAlreadyEnded = failure.kind === 'refused' && failure.twilioCode !== undefined && ALREADY_ENDED_CODES.has(failure.twilioCode);
      await log({ direction: 'response', event: 'calls.update', callSid, activeCallId: callId, outcome: isAlreadyEnded ? 'already_ended' : 'failed', payload: { ...failure } });
      if (!isAlreadyEnded) throw error;
      return undefined;
    }
  }

  /** Fetches a call from Twilio; the request (and a failure) are recorded, the answer is the caller's to record. */
  async function fetchCall(callSid: string, callId: string): Promise<{ call: TwilioCall } | { failure: TwilioFailure }> {
    await log({ direction: 'request', event: 'calls.fetch', callSid, activeCallId: callId, outcome: null, payload: {} });
    try {
      return { call: await calls(callSid).fetch() };
    } catch (error) {
      const failure = readTwilioFailure(error);
      await log({ direction: 'response', event: 'calls.fetch', callSid, activeCallId: callId, outcome: failure.kind, payload: { ...failure } });
      return { failure };
    }
  }

  /**
   * Applies Twilio's Call resource (fetched, or returned by an update) to the row, through the
   * same facts as a callback; a fetched resource's record commits with the change it made.
   */
  async function applyCallResource(callId: string, resource: TwilioCall, options: { isFetched: boolean; hasVerdictWaitPassed: boolean }): Promise<AppliedFacts | undefined> {
    const status = parseTwilioCallStatus(resource.status);
    const duration = resource.duration === null ? undefined : Number.parseInt(resource.duration, 10);
    return db.transaction(async (tx) => {
      const call = await lockCall(tx, callId);
      const facts =
        status && call
          ? interpretCallReport(
              {
                status,
                at: resource.endTime ?? undefined,
                durationSeconds: Number.isFinite(duration) ? duration : undefined,
                answeredBy: resource.answeredBy ?? undefined,
                recordingUrl: undefined,
                failureDetail: status === 'failed' ? 'found in Twilio’s record of the call' : undefined,
              },
              { startedAt: call.started_at },
            )
          : undefined;
      const applied = call && facts ? await applyCallFacts(tx, call, facts, 'system', { hasVerdictWaitPassed: options.hasVerdictWaitPassed }) : undefined;
      if (options.isFetched) {
        const outcome = applied?.isAwaitingVerdict ? 'awaiting_verdict' : applied?.hasMoved ? 'moved' : 'unchanged';
        await insertTwilioLog(tx, { direction: 'response', event: 'calls.fetch', callSid: resource.sid, activeCallId: callId, outcome, payload: callSummary(resource) });
      }
      return applied;
    });
  }

  async function reconcileCall(call: ActiveCallRow): Promise<void> {
    if (placing.has(call.id)) return;
    if (!call.call_sid) {
      if (clock.now() - call.started_at.getTime() >= unconfirmedAfterMs) {
        await updateCallStatus(db, call.id, { status: 'failed', statusSource: 'system', lastError: UNCONFIRMED_ERROR });
        logger.warn({ callId: call.id }, 'ended a call Twilio never confirmed');
      }
      return;
    }
    const callSid = call.call_sid;
    const fetched = await fetchCall(callSid, call.id);
    if ('failure' in fetched) {
      const { failure } = fetched;
      if (failure.kind === 'refused' && failure.twilioCode === 20404) {
        await updateCallStatus(db, call.id, { status: 'failed', statusSource: 'system', lastError: UNKNOWN_AT_TWILIO_ERROR });
      } else logger.warn({ callId: call.id, failure }, 'could not fetch a call from Twilio; will try again');
      return;
    }
    // Twilio's Call resource has the verdict if there is one; past the wait, the call ends without.
    const applied = await applyCallResource(call.id, fetched.call, { isFetched: true, hasVerdictWaitPassed: hasVerdictWaitPassed(reportedTimesOf(call), clock.now(), verdictWaitMs) });
    if (applied?.hasMoved) logger.info({ callId: call.id, status: applied.row?.status }, 'reconciled a call with Twilio');
    // The rep asked to end this call and Twilio still has it up (the request was lost): ask again.
    if (call.end_requested_at && LIVE_AT_TWILIO.has(fetched.call.status)) await hangUp(callSid, fetched.call.status === 'in-progress' ? 'completed' : 'canceled', call.id);
  }

  /** Whether the sweep should look at this live call now. */
  function isDue(call: ActiveCallRow, now: number, onlyStale: boolean): boolean {
    // An ended call awaiting its AMD verdict waits for it, however the sweep was started.
    if (call.reported_status !== null) return hasVerdictWaitPassed(reportedTimesOf(call), now, verdictWaitMs);
    if (call.end_requested_at && now - call.end_requested_at.getTime() >= endConfirmAfterMs) return true;
    return !onlyStale || now - call.updated_at.getTime() >= staleAfterMs;
  }

  async function reconcile({ onlyStale = false }: { onlyStale?: boolean } = {}): Promise<void> {
    const now = clock.now();
    for (const call of await listUnfinishedCalls(db, 'twilio')) {
      if (!isDue(call, now, onlyStale)) continue;
      try {
        await reconcileCall(call);
      } catch (error) {
        logger.error({ err: error, callId: call.id }, 'reconciling a call failed');
      }
    }
  }

  function armSweeper(): void {
    if (isStopped || cancelSweep) return;
    cancelSweep = clock.schedule(clock.now() + sweepIntervalMs, () => {
      cancelSweep = undefined;
      void reconcile({ onlyStale: true }).finally(armSweeper);
    });
  }

  return {
    hangUp,
    reconcile,

    async placeCall(call) {
      placing.add(call.id);
      let created: TwilioCall;
      try {
        const settings = await loadDialerSettings(db, call.user_email, false);
        const request = createOptions(call, settings.caller_id ?? options.fromNumber, settings.voicemail_action);
        await log({ direction: 'request', event: 'calls.create', callSid: null, activeCallId: call.id, outcome: null, payload: { ...request } });
        created = await calls.create(request);
      } catch (error) {
        const failure = readTwilioFailure(error);
        await log({ direction: 'response', event: 'calls.create', callSid: null, activeCallId: call.id, outcome: failure.kind, payload: { ...failure } });
        const { error: appError, lastError } = describeTwilioFailure(failure);
        // Never leave the row dialing: it fails with Twilio's reason, which the rep sees.
        await updateCallStatus(db, call.id, { status: 'failed', statusSource: 'system', lastError });
        logger.warn({ callId: call.id, failure }, 'Twilio did not place the call');
        return fail(appError.code, appError.message);
      } finally {
        placing.delete(call.id);
      }
      await log({ direction: 'response', event: 'calls.create', callSid: created.sid, activeCallId: call.id, outcome: 'created', payload: callSummary(created) });
      await recordCallFacts(db, call.id, { callSid: created.sid });
      const row = (await findCallById(db, call.id)) ?? call;
      // The rep hung up while Twilio was still creating the call: end it there too.
      if (isTerminal(row.status)) await hangUp(created.sid, row.answered_at ? 'completed' : 'canceled', call.id).catch((error: unknown) => logger.error({ err: error }, 'could not end a call hung up while placing'));
      return ok(row);
    },

    /**
     * Asks Twilio to end the call (cancel before the answer, hang up after) and applies what
     * Twilio answers: the Call resource the update returns, or, when Twilio had already ended the
     * call (21220), the one fetched. The call ends as Twilio says, never with an outcome of ours;
     * if Twilio's answer does not settle it, the status callback or the sweep will.
     */
    async endCall(call) {
      if (!call.call_sid) return;
      const updated = await hangUp(call.call_sid, call.answered_at || call.status === 'in-progress' ? 'completed' : 'canceled', call.id);
      if (isTerminal(call.status)) return;
      if (updated) {
        await applyCallResource(call.id, updated, { isFetched: false, hasVerdictWaitPassed: false });
        return;
      }
      const fetched = await fetchCall(call.call_sid, call.id);
      if ('call' in fetched) await applyCallResource(call.id, fetched.call, { isFetched: true, hasVerdictWaitPassed: false });
    },

    async recoverUnfinishedCalls() {
      await reconcile();
      armSweeper();
    },

    stop() {
      isStopped = true;
      cancelSweep?.();
      cancelSweep = undefined;
    },

    async settle(timeoutMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...hangUpsUnderWay]), timeout]);
      clearTimeout(timer);
    },
  };
}

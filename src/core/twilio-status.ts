import type { CallStatus } from './call-status.js';

/** Twilio's call statuses, as its status callbacks and Call resource report them. */
export const TWILIO_CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type TwilioCallStatus = (typeof TWILIO_CALL_STATUSES)[number];

/** The progress events a status callback can be asked for (Twilio's `call_enum_event`). */
export const TWILIO_STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;

/** Answering-machine detection results (`AnsweredBy`). */
export const TWILIO_ANSWERED_BY = ['human', 'machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax', 'unknown'] as const;
export type TwilioAnsweredBy = (typeof TWILIO_ANSWERED_BY)[number];

export function parseTwilioCallStatus(value: string | undefined): TwilioCallStatus | undefined {
  return (TWILIO_CALL_STATUSES as readonly string[]).includes(value ?? '') ? (value as TwilioCallStatus) : undefined;
}

/** Our status for Twilio's: queued and initiated are still dialing; the rest mean the same. */
export function mapTwilioCallStatus(status: TwilioCallStatus): CallStatus {
  switch (status) {
    case 'queued':
    case 'initiated':
      return 'dialing';
    case 'ringing':
    case 'in-progress':
    case 'completed':
    case 'busy':
    case 'no-answer':
    case 'failed':
    case 'canceled':
      return status;
    default: {
      const unreachable: never = status;
      throw new Error(`unknown Twilio call status ${String(unreachable)}`);
    }
  }
}

/** What an `AnsweredBy` value means for the call: a machine (or fax) is voicemail. */
export function classifyAnsweredBy(value: string | null | undefined): 'human' | 'machine' | 'unknown' | undefined {
  if (!value || !(TWILIO_ANSWERED_BY as readonly string[]).includes(value)) return undefined;
  const answeredBy = value as TwilioAnsweredBy;
  switch (answeredBy) {
    case 'human':
      return 'human';
    case 'unknown':
      return 'unknown';
    case 'machine_start':
    case 'machine_end_beep':
    case 'machine_end_silence':
    case 'machine_end_other':
    case 'fax':
      return 'machine';
    default: {
      const unreachable: never = answeredBy;
      throw new Error(`unknown AnsweredBy ${String(unreachable)}`);
    }
  }
}

/** One report of a call's state from Twilio: a status callback, or the Call resource fetched. */
export interface TwilioCallReport {
  readonly status: TwilioCallStatus;
  /** When the reported status began (a callback's `Timestamp`, a fetched call's `end_time`). */
  readonly at: Date | undefined;
  /** Seconds from answer to hang-up, reported when a call ends (`CallDuration`, `duration`). */
  readonly durationSeconds: number | undefined;
  readonly answeredBy: string | undefined;
  readonly recordingUrl: string | undefined;
  /** Why a failed call failed, in Twilio's words, if it said. */
  readonly failureDetail: string | undefined;
}

/** The facts of a report, as fields of our call row. */
export interface CallFacts {
  readonly status: CallStatus;
  readonly answeredAt: Date | undefined;
  readonly endedAt: Date | undefined;
  readonly durationSeconds: number | undefined;
  readonly answeredBy: string | undefined;
  readonly recordingUrl: string | undefined;
  readonly lastError: string | undefined;
}

/**
 * Reads one Twilio report against the call it is about. The result depends only on the report
 * and on facts every report agrees on, so callbacks applied in any order leave the same row:
 * - an answered call's answer time is `at` for `in-progress` and `at - CallDuration` for
 *   `completed`, which Twilio keeps consistent, so whichever arrives first writes the same time;
 * - a call answered by a machine ends as `voicemail_detected` when it completes, whether the
 *   machine verdict came with the completed callback or earlier (the row's `answered_by`);
 * - times never precede the row's start (Twilio's timestamps have whole seconds).
 */
export function interpretCallReport(report: TwilioCallReport, call: { readonly startedAt: Date; readonly answeredBy: string | null }): CallFacts {
  const notBeforeStart = (at: Date | undefined) => (at === undefined ? undefined : new Date(Math.max(at.getTime(), call.startedAt.getTime())));
  const answeredBy = report.answeredBy ?? undefined;
  const isMachine = classifyAnsweredBy(answeredBy ?? call.answeredBy) === 'machine';
  const base = { answeredBy, recordingUrl: report.recordingUrl, answeredAt: undefined, endedAt: undefined, durationSeconds: undefined, lastError: undefined };
  const status = mapTwilioCallStatus(report.status);
  switch (status) {
    case 'dialing':
    case 'ringing':
      return { ...base, status };
    case 'in-progress':
      return { ...base, status, answeredAt: notBeforeStart(report.at) };
    case 'completed': {
      const duration = report.durationSeconds ?? 0;
      const answeredAt = report.at === undefined ? undefined : new Date(report.at.getTime() - duration * 1000);
      return {
        ...base,
        status: isMachine ? 'voicemail_detected' : 'completed',
        answeredAt: notBeforeStart(answeredAt),
        endedAt: notBeforeStart(report.at),
        durationSeconds: report.durationSeconds,
      };
    }
    case 'failed':
      return {
        ...base,
        status,
        endedAt: notBeforeStart(report.at),
        lastError: `Twilio reported that the call failed${report.failureDetail ? `: ${report.failureDetail}` : '.'}`,
      };
    case 'busy':
    case 'no-answer':
    case 'canceled':
      return { ...base, status, endedAt: notBeforeStart(report.at) };
    case 'voicemail_detected':
      throw new Error('Twilio has no voicemail status of its own');
    default: {
      const unreachable: never = status;
      throw new Error(`unhandled status ${String(unreachable)}`);
    }
  }
}

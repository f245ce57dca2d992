import { isTerminal, type CallStatus } from './call-status.js';

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
 * and on the call's start, so callbacks applied in any order leave the same row:
 * - an answered call's answer time is `at` for `in-progress` and `at - CallDuration` for
 *   `completed`, which Twilio keeps consistent, so whichever arrives first writes the same time;
 * - an end is reported as Twilio's status (`completed` even for a machine): whether it was
 *   voicemail is decided with the verdict, by `settleCall`;
 * - times never precede the row's start (Twilio's timestamps have whole seconds).
 */
export function interpretCallReport(report: TwilioCallReport, call: { readonly startedAt: Date }): CallFacts {
  const notBeforeStart = (at: Date | undefined) => (at === undefined ? undefined : new Date(Math.max(at.getTime(), call.startedAt.getTime())));
  const base = { answeredBy: report.answeredBy, recordingUrl: report.recordingUrl, answeredAt: undefined, endedAt: undefined, durationSeconds: undefined, lastError: undefined };
  const status = mapTwilioCallStatus(report.status);
  switch (status) {
    case 'dialing':
    case 'ringing':
      return { ...base, status };
    case 'in-progress':
      return { ...base, status, answeredAt: notBeforeStart(report.at) };
    case 'completed':
      return {
        ...base,
        status,
        answeredAt: notBeforeStart(answerTimeOf(report.at, report.durationSeconds)),
        endedAt: notBeforeStart(report.at),
        durationSeconds: report.durationSeconds,
      };
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

const answerTimeOf = (endedAt: Date | undefined, durationSeconds: number | undefined) =>
  endedAt === undefined ? undefined : new Date(endedAt.getTime() - (durationSeconds ?? 0) * 1000);

/** What a call row holds of Twilio's facts: Twilio's word on the end, and who answered. */
export interface ReportedCall {
  readonly startedAt: Date;
  readonly amdEnabled: boolean;
  readonly answeredBy: string | null;
  /** Twilio's final status, as first reported (a callback, or the Call resource). */
  readonly reportedStatus: string | null;
  readonly reportedEndedAt: Date | null;
  readonly reportedDurationSeconds: number | null;
}

/**
 * Whether an answered call with answering-machine detection has ended before its verdict came:
 * its outcome (a connect or a voicemail) is not known yet. Async AMD may report after the end.
 */
export function isAwaitingVerdict(call: ReportedCall): boolean {
  return call.reportedStatus === 'completed' && call.amdEnabled && classifyAnsweredBy(call.answeredBy) === undefined;
}

/**
 * The final facts of a call whose end Twilio reported, or undefined while some fact that decides
 * them may still come (TR3). They are read from the row's facts alone, each kept as Twilio
 * reported it, so any order of the same reports finishes the call the same way:
 * - an answered call answered by a machine or fax is `voicemail_detected`, otherwise `completed`;
 * - an answered call with AMD waits for the verdict, until `hasVerdictWaitPassed` (then Twilio's
 *   Call resource has had its chance to say, and the call is a plain `completed`);
 * - times are Twilio's: the end it reported and the answer `CallDuration` before it.
 */
export function settleCall(call: ReportedCall, options: { readonly hasVerdictWaitPassed: boolean }): CallFacts | undefined {
  const status = parseTwilioCallStatus(call.reportedStatus ?? undefined);
  if (!status || !isTerminal(mapTwilioCallStatus(status))) return undefined;
  if (isAwaitingVerdict(call) && !options.hasVerdictWaitPassed) return undefined;
  const isAnswered = status === 'completed';
  const endedAt = call.reportedEndedAt ?? undefined;
  const durationSeconds = call.reportedDurationSeconds ?? undefined;
  const notBeforeStart = (at: Date | undefined) => (at === undefined ? undefined : new Date(Math.max(at.getTime(), call.startedAt.getTime())));
  return {
    status: isAnswered && classifyAnsweredBy(call.answeredBy) === 'machine' ? 'voicemail_detected' : mapTwilioCallStatus(status),
    answeredAt: isAnswered ? notBeforeStart(answerTimeOf(endedAt, durationSeconds)) : undefined,
    endedAt: notBeforeStart(endedAt),
    durationSeconds: isAnswered ? durationSeconds : 0,
    answeredBy: undefined,
    recordingUrl: undefined,
    lastError: undefined,
  };
}

/**
 * How long after the answer an answering-machine verdict can still come: Twilio's async AMD
 * reports within MachineDetectionTimeout of the answer (we keep its default, 30 s; past it Twilio
 * reports `unknown`), and Twilio gives up on a webhook request after 15 s.
 */
export const VERDICT_WAIT_MS = 30_000 + 15_000;

/** Whether a call awaiting its verdict has waited long enough to be finished without one. */
export function hasVerdictWaitPassed(call: { readonly answeredAt: Date | null; readonly reportedEndedAt: Date | null }, nowMs: number, waitMs = VERDICT_WAIT_MS): boolean {
  const answeredAt = call.answeredAt ?? call.reportedEndedAt;
  return answeredAt !== null && nowMs - answeredAt.getTime() >= waitMs;
}

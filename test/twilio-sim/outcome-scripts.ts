import { amdCallback, recordingCallback, statusCallback, type Callback, type CallIdentity } from './callbacks.js';

/** The outcomes whose callbacks can be scripted, and what our row should end as. */
export const SCRIPTED_OUTCOMES = {
  'human-recorded': 'completed',
  machine: 'voicemail_detected',
  fax: 'voicemail_detected',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'canceled',
} as const;
export type ScriptedOutcome = keyof typeof SCRIPTED_OUTCOMES;

export interface ScriptUrls {
  readonly status: string;
  readonly amd: string;
  readonly recording: string;
}

/** The outcomes whose call is answered, so that answering-machine detection gives a verdict. */
export const ANSWERED_OUTCOMES = ['human-recorded', 'machine', 'fax'] as const satisfies readonly ScriptedOutcome[];

/**
 * Every callback Twilio sends for one call of the given outcome, in the order it sends them,
 * with timestamps `baseMs` + whole seconds (AMD and recording enabled). Delivered in any order,
 * with repeats, they must leave the same row. With `isVerdictAfterEnd` the callee hangs up before
 * detection decides: `completed` comes without AnsweredBy, and the AMD callback after it.
 */
export function scriptCallbacks(outcome: ScriptedOutcome, call: CallIdentity, urls: ScriptUrls, baseMs: number, options: { isVerdictAfterEnd?: boolean } = {}): Callback[] {
  let sequenceNumber = 0;
  const status = (state: string, atSeconds: number, extra: Partial<Parameters<typeof statusCallback>[2]> = {}) =>
    statusCallback(urls.status, call, { status: state, sequenceNumber: sequenceNumber++, atMs: baseMs + atSeconds * 1000, ...extra });
  const answered = (verdict: string, talkSeconds: number) => {
    const recording = { url: `https://api.twilio.com/2010-04-01/Accounts/${call.accountSid}/Recordings/RE${'0'.repeat(31)}1`, sid: `RE${'0'.repeat(31)}1`, durationSeconds: talkSeconds };
    const isHuman = verdict === 'human';
    const amd = amdCallback(urls.amd, call, verdict, 2500);
    const isLate = options.isVerdictAfterEnd === true;
    return [
      status('initiated', 0),
      status('ringing', 1),
      status('in-progress', 4),
      ...(isLate ? [] : [amd]),
      status('completed', 4 + talkSeconds, { durationSeconds: talkSeconds, ...(isLate ? {} : { answeredBy: verdict }), ...(isHuman ? { recording } : {}) }),
      ...(isLate ? [amd] : []),
      ...(isHuman ? [recordingCallback(urls.recording, call, { ...recording, startMs: baseMs + 4000 })] : []),
    ];
  };
  switch (outcome) {
    case 'human-recorded':
      return answered('human', 12);
    case 'machine':
      return answered('machine_start', 3);
    case 'fax':
      return answered('fax', 2);
    case 'busy':
      return [status('initiated', 0), status('busy', 1, { durationSeconds: 0 })];
    case 'no-answer':
      return [status('initiated', 0), status('ringing', 1), status('no-answer', 31, { durationSeconds: 0 })];
    case 'failed':
      return [status('initiated', 0), status('ringing', 1), status('failed', 2, { durationSeconds: 0, sipResponseCode: '503' })];
    case 'canceled':
      return [status('initiated', 0), status('ringing', 1), status('canceled', 6, { durationSeconds: 0 })];
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${String(unreachable)}`);
    }
  }
}

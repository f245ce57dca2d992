import type { CallLife } from './scenarios.js';

/**
 * The AnsweredBy values Twilio documents for answering-machine detection: `human`; with
 * MachineDetection=Enable a machine is `machine_start` as soon as it is recognised; with
 * DetectMessageEnd it is reported at the end of its greeting, `machine_end_beep`,
 * `machine_end_silence` or `machine_end_other`; `fax`; and `unknown` when detection gave up.
 */
export const SIM_ANSWERED_BY = ['human', 'machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax', 'unknown'] as const;
export type SimAnsweredBy = (typeof SIM_ANSWERED_BY)[number];

/**
 * How one called number's leg plays, in place of its scenario (scenarioFor): when it is answered,
 * by whom, when detection decides, when the callee hangs up. Times in ms; with a script per
 * number several legs can be made to answer at nearly the same moment.
 */
export interface LegScript {
  /** From the first ring to the answer; absent (and no `answerAtMs`): it rings until it is canceled (or Twilio's Timeout). */
  readonly answerAfterMs?: number;
  /**
   * The moment (ms since epoch) the leg is answered, at its first ring if that comes later: legs
   * dialed one after another can be answered together, whatever the time between their dials.
   */
  readonly answerAtMs?: number;
  /** What answers, as detection reports it (`human` when absent). */
  readonly answeredBy?: SimAnsweredBy;
  /** From the answer to the asynchronous AMD verdict (the simulator's `amdMs` when absent). */
  readonly verdictAfterMs?: number;
  /** From the answer to the callee's hang-up; absent: they stay until the call is ended through the API or by its TwiML. */
  readonly hangUpAfterMs?: number;
}

/** How long after its first ring (at `nowMs`) a scripted leg is answered; undefined: never. */
export function answerDelayOf(script: LegScript, nowMs: number): number | undefined {
  if (script.answerAtMs !== undefined) return Math.max(0, script.answerAtMs - nowMs);
  return script.answerAfterMs;
}

const isMachine = (answeredBy: SimAnsweredBy) => answeredBy.startsWith('machine_');

/** The scenario life a script is closest to (what `SimCall.life` says of a scripted call). */
export function lifeOfScript(script: LegScript): CallLife {
  if (answerDelayOf(script, 0) === undefined) return 'rings-on';
  const answeredBy = script.answeredBy ?? 'human';
  if (answeredBy === 'fax') return 'fax';
  if (isMachine(answeredBy)) return 'machine';
  return script.hangUpAfterMs === undefined ? 'human-stays' : 'human';
}

/**
 * The verdict detection gives a scripted leg under the MachineDetection asked for: a machine is
 * `machine_start` with Enable (reported at once) and one of the `machine_end_*` values with
 * DetectMessageEnd (`machine_end_beep` unless the script names another).
 */
export function verdictOfScript(script: LegScript, machineDetection: string | undefined): SimAnsweredBy {
  const answeredBy = script.answeredBy ?? 'human';
  if (!isMachine(answeredBy)) return answeredBy;
  if (machineDetection === 'DetectMessageEnd') return answeredBy === 'machine_start' ? 'machine_end_beep' : answeredBy;
  return 'machine_start';
}

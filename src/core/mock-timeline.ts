import { z } from 'zod';
import type { CallStatus, TerminalStatus } from './call-status.js';

/** What a simulated call can end as. `voicemail_detected` needs AMD; without it a machine answer is a completed call. */
export const MOCK_OUTCOMES = ['completed', 'no-answer', 'busy', 'failed', 'canceled', 'voicemail_detected'] as const;
export type MockOutcome = (typeof MOCK_OUTCOMES)[number];

const secondsRange = z
  .tuple([z.number().min(0).max(600), z.number().min(0).max(600)])
  .refine(([min, max]) => min <= max, 'the first number of a range must not exceed the second');

export const mockConfigSchema = z
  .object({
    /** Seconds from placing the call until the far end rings. */
    dialSeconds: z.number().min(0).max(60).default(1),
    /** Seconds of ringing before an answer (or before giving up, for no-answer). */
    ringSeconds: secondsRange.default([2, 6]),
    /** Seconds of conversation for an answered call. */
    talkSeconds: secondsRange.default([5, 20]),
    /** Seconds AMD takes to decide it reached a machine. */
    amdSeconds: z.number().min(0).max(60).default(3),
    /** Relative weights of outcomes; when given, an outcome left out never happens. */
    outcomeWeights: z
      .object(Object.fromEntries(MOCK_OUTCOMES.map((o) => [o, z.number().min(0).max(1000)])) as Record<MockOutcome, z.ZodNumber>)
      .partial()
      .default({}),
    /** Fixes the random draws so the same call plays the same way every time. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  })
  .strict();
export type MockConfig = z.output<typeof mockConfigSchema>;
export type MockConfigInput = z.input<typeof mockConfigSchema>;

export const DEFAULT_OUTCOME_WEIGHTS: Readonly<Record<MockOutcome, number>> = {
  completed: 55,
  'no-answer': 15,
  busy: 8,
  failed: 4,
  canceled: 0,
  voicemail_detected: 18,
};

export type AnsweredBy = 'human' | 'machine_start';

/**
 * Seconds an answering machine records after its beep before it hangs up by itself, in a demo
 * session call nobody acts on (a session drops its message or hangs up within a pass).
 */
export const MACHINE_RECORDS_SECONDS = 30;

export type MockStep =
  | { readonly kind: 'ringing'; readonly at: number }
  | { readonly kind: 'answered'; readonly at: number; readonly answeredBy: AnsweredBy | null }
  /** AMD's verdict on a live call, after the machine's beep (a session call's; the status stays in-progress). */
  | { readonly kind: 'verdict'; readonly at: number; readonly answeredBy: 'machine_end_beep' }
  | {
      readonly kind: 'ended';
      readonly at: number;
      readonly status: TerminalStatus;
      readonly lastError: string | null;
      readonly answeredBy: AnsweredBy | null;
    };

export interface MockPlan {
  readonly outcome: MockOutcome;
  readonly steps: readonly MockStep[];
}

/** The status a step puts the call in. */
export function mockStepStatus(step: MockStep): CallStatus {
  switch (step.kind) {
    case 'ringing':
      return 'ringing';
    case 'answered':
    case 'verdict':
      return 'in-progress';
    case 'ended':
      return step.status;
    default: {
      const unreachable: never = step;
      throw new Error(`unknown mock step ${JSON.stringify(unreachable)}`);
    }
  }
}

/** mulberry32: a tiny, well-distributed PRNG; enough for a simulator, and reproducible. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickOutcome(random: () => number, config: MockConfig, isAmdEnabled: boolean): MockOutcome {
  // Weights given replace the defaults whole: an outcome left out does not happen.
  const given = Object.keys(config.outcomeWeights).length > 0;
  const weights = MOCK_OUTCOMES.map((outcome) => (given ? (config.outcomeWeights[outcome] ?? 0) : DEFAULT_OUTCOME_WEIGHTS[outcome]));
  const total = weights.reduce((sum, w) => sum + w, 0);
  const draw = random();
  if (total === 0) return 'completed';
  let point = draw * total;
  let chosen: MockOutcome = 'completed';
  for (const [index, outcome] of MOCK_OUTCOMES.entries()) {
    point -= weights[index] ?? 0;
    if (point < 0) {
      chosen = outcome;
      break;
    }
  }
  // Without AMD nobody can tell a machine answered: it is an ordinary completed call.
  return chosen === 'voicemail_detected' && !isAmdEnabled ? 'completed' : chosen;
}

/**
 * The whole life of a simulated call as a pure function of (seed, config, startedAt, AMD, whether
 * it is a session's call). A restarted server recomputes the same plan from the row and carries
 * on from where the clock now is, so the simulator keeps no state of its own. A machine on a
 * session's call is detected as Twilio's DetectMessageEnd does: the verdict (`machine_end_beep`)
 * comes on the live call after the greeting, and the machine records until the session acts (or
 * for MACHINE_RECORDS_SECONDS); on any other call the verdict ends the call.
 */
export function planMockTimeline(seed: number, config: MockConfig, startedAt: number, isAmdEnabled: boolean, isSessionCall = false): MockPlan {
  const random = createRandom(seed);
  const outcome = pickOutcome(random, config, isAmdEnabled);
  const between = ([min, max]: readonly [number, number]) => min + random() * (max - min);
  const ms = (seconds: number) => Math.round(seconds * 1000);

  const ringAt = startedAt + ms(config.dialSeconds);
  const answerAt = ringAt + ms(between(config.ringSeconds));
  const talk = ms(between(config.talkSeconds));
  const ended = (at: number, status: TerminalStatus, lastError: string | null = null, answeredBy: AnsweredBy | null = null): MockStep => ({
    kind: 'ended',
    at,
    status,
    lastError,
    answeredBy,
  });

  switch (outcome) {
    case 'completed':
      return {
        outcome,
        steps: [{ kind: 'ringing', at: ringAt }, { kind: 'answered', at: answerAt, answeredBy: isAmdEnabled ? 'human' : null }, ended(answerAt + talk, 'completed')],
      };
    case 'voicemail_detected': {
      const verdictAt = answerAt + ms(config.amdSeconds);
      if (isSessionCall) {
        return {
          outcome,
          steps: [
            { kind: 'ringing', at: ringAt },
            { kind: 'answered', at: answerAt, answeredBy: null },
            { kind: 'verdict', at: verdictAt, answeredBy: 'machine_end_beep' },
            ended(verdictAt + ms(MACHINE_RECORDS_SECONDS), 'voicemail_detected', null, 'machine_start'),
          ],
        };
      }
      return {
        outcome,
        steps: [
          { kind: 'ringing', at: ringAt },
          { kind: 'answered', at: answerAt, answeredBy: null },
          ended(verdictAt, 'voicemail_detected', null, 'machine_start'),
        ],
      };
    }
    case 'no-answer':
      return { outcome, steps: [{ kind: 'ringing', at: ringAt }, ended(answerAt, 'no-answer')] };
    case 'canceled':
      return { outcome, steps: [{ kind: 'ringing', at: ringAt }, ended(answerAt, 'canceled', 'The simulated caller hung up before the answer.')] };
    case 'busy':
      return { outcome, steps: [ended(ringAt, 'busy')] };
    case 'failed':
      return { outcome, steps: [ended(ringAt, 'failed', 'Simulated carrier failure: the call could not be connected.')] };
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown mock outcome ${String(unreachable)}`);
    }
  }
}

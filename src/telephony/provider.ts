import type { Result } from '../core/errors.js';
import type { ActiveCallRow } from '../db/active-calls.js';

/** What the functions need of a way to place calls (STYLE 3): the mock simulator or Twilio. */
export interface TelephonyProvider {
  /**
   * Starts the call of a freshly inserted `dialing` row; progress arrives as row updates.
   * A refusal is a value: the row has then ended `failed` with the reason in `last_error`.
   */
  placeCall(call: ActiveCallRow): Promise<Result<ActiveCallRow>>;
  /**
   * Stops the call at the provider. The simulator's calls have had their final status written
   * by the caller; a Twilio call ends as Twilio reports it (TR3).
   */
  endCall(call: ActiveCallRow): Promise<void>;
  /** Resumes or settles the calls a previous process left unfinished (RS1). */
  recoverUnfinishedCalls(): Promise<void>;
  /** Stops timers; nothing is lost, since every call's state is in its row. */
  stop(): void;
}

/** Time as the simulator, sweepers and realtime see it, injected so tests can drive it (STYLE 9). */
export interface Clock {
  now(): number;
  /**
   * Runs `task` at `at` (ms since epoch), however far ahead; `Infinity` means never (a token
   * with no expiry). Returns a function that cancels it.
   */
  schedule(at: number, task: () => void): () => void;
}

/**
 * The longest delay a timer accepts: setTimeout stores it in a signed 32-bit integer and runs a
 * longer one at once (about 24.8 days, shorter than a 30-day token or a 10-year API key).
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(at, task) {
    if (at === Infinity) return () => {};
    let timer: ReturnType<typeof setTimeout>;
    // A far time is reached in steps of the longest delay, re-reading the clock at each step.
    const arm = (): void => {
      const wait = at - Date.now();
      timer = wait > MAX_TIMER_DELAY_MS ? setTimeout(arm, MAX_TIMER_DELAY_MS) : setTimeout(task, Math.max(0, wait));
    };
    arm();
    return () => clearTimeout(timer);
  },
};

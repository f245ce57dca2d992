import type { Result } from '../core/errors.js';
import type { ActiveCallRow } from '../db/active-calls.js';

/** What the functions need of a way to place calls (STYLE 3): the mock simulator or Twilio. */
export interface TelephonyProvider {
  /**
   * Starts the call of a freshly inserted `dialing` row; progress arrives as row updates.
   * A refusal is a value: the row has then ended `failed` with the reason in `last_error`.
   */
  placeCall(call: ActiveCallRow): Promise<Result<ActiveCallRow>>;
  /** Stops the call at the provider; the caller has already written the final status. */
  endCall(call: ActiveCallRow): Promise<void>;
  /** Resumes or settles the calls a previous process left unfinished (RS1). */
  recoverUnfinishedCalls(): Promise<void>;
  /** Stops timers; nothing is lost, since every call's state is in its row. */
  stop(): void;
}

/** Time as the simulator and sweepers see it, injected so tests can drive it (STYLE 9). */
export interface Clock {
  now(): number;
  /** Runs `task` at `at` (ms since epoch); returns a function that cancels it. */
  schedule(at: number, task: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(at, task) {
    const timer = setTimeout(task, Math.max(0, at - Date.now()));
    return () => clearTimeout(timer);
  },
};

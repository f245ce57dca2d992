import type { ActiveCallRow } from '../db/active-calls.js';

/**
 * What a power-dial session does with a live line of its own (issue 14; DESIGN PD1), per mode:
 * the simulator in demo mode, Twilio's calls API in production mode. The session runner
 * (src/db/dialer-session-runner.ts) decides and writes every fact first (the claim,
 * `connected_at`, `abandoned_at` and `safe_harbor_at`, `voicemail_dropped_at`, the counters);
 * these only act at the provider, and a failure is logged by the runner, never retried blindly
 * (the row already says what should happen, and the provider's own end reports follow).
 */
export interface SessionLegs {
  /** The winner: bridges the answered callee to the rep (Twilio: the rep's browser identity, or their forward-to number). */
  bridge(call: ActiveCallRow): Promise<void>;
  /**
   * A losing line's human: says `message` (the safe-harbor message, 47 CFR 64.1200(a)(7)(i),
   * with its opt-out key), then hangs up.
   */
  playSafeHarbor(call: ActiveCallRow, message: string): Promise<void>;
  /** A machine after the beep: says `message` (the list's voicemail drop), then hangs up; `null` hangs up at once. */
  dropVoicemail(call: ActiveCallRow, message: string | null): Promise<void>;
  /** A line the session no longer wants (still ringing past the minimum ring time): ends it now. */
  hangUp(call: ActiveCallRow): Promise<void>;
}

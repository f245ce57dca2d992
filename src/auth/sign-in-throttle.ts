/**
 * Password sign-in throttling, per email and per client address. GoTrue limits sign-ins per
 * IP address (Supabase's `sign_in_sign_ups`: 30 per 5 minutes) and answers 429
 * `over_request_rate_limit`; we keep its window and its number, with two differences that
 * fit a sales team behind one office address:
 * - what counts is failed attempts plus attempts still being checked, not successes, so a
 *   team (or a test suite) signing in many users from one address is never held up, while
 *   16 concurrent guesses are cut off at once instead of all running;
 * - each email has its own, smaller allowance at each address, so guesses at one account are
 *   cut off early; it is kept per address so that a stranger's guesses never lock the rep out
 *   (GoTrue has no per-account lockout either); a successful sign-in clears that count.
 */
export const SIGN_IN_WINDOW_MS = 5 * 60 * 1000;
/** Supabase's default for sign-ins per IP address in the window. */
export const MAX_FAILED_SIGN_INS_PER_ADDRESS = 30;
/**
 * Two guesses a minute at one account, far under NIST SP 800-63B's ceiling of 100 consecutive
 * failures; a rep who mistypes a few times is not locked out, and a lock lasts minutes.
 */
export const MAX_FAILED_SIGN_INS_PER_EMAIL = 10;
/** Keys remembered at most; past it the oldest go first, so a spray of emails cannot fill memory. */
const MAX_TRACKED_KEYS = 100_000;

export interface SignInThrottleOptions {
  readonly now?: () => number;
  readonly windowMs?: number;
  readonly maxPerAddress?: number;
  readonly maxPerEmail?: number;
}

/** One admitted attempt: exactly one of its outcomes is reported. */
export interface SignInAttempt {
  succeeded(): void;
  failed(): void;
  /** Ended without a verdict on the password (the hash queue was full, the server failed). */
  abandoned(): void;
}

export interface SignInThrottle {
  /** Admits an attempt, or answers `undefined` when the email or the address is over its allowance. */
  begin(email: string, address: string): SignInAttempt | undefined;
}

interface Tally {
  inFlight: number;
  /** When each failure in the window happened, oldest first. */
  failures: number[];
}

export function createSignInThrottle(options: SignInThrottleOptions = {}): SignInThrottle {
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? SIGN_IN_WINDOW_MS;
  const limits = { email: options.maxPerEmail ?? MAX_FAILED_SIGN_INS_PER_EMAIL, address: options.maxPerAddress ?? MAX_FAILED_SIGN_INS_PER_ADDRESS };
  const tallies = new Map<string, Tally>();

  function tallyOf(key: string): Tally {
    let tally = tallies.get(key);
    if (!tally) {
      if (tallies.size >= MAX_TRACKED_KEYS) forgetExpired();
      while (tallies.size >= MAX_TRACKED_KEYS) {
        const oldest = tallies.keys().next().value;
        if (oldest === undefined) break;
        tallies.delete(oldest);
      }
      tally = { inFlight: 0, failures: [] };
      tallies.set(key, tally);
    }
    const cutoff = now() - windowMs;
    while (tally.failures.length > 0 && (tally.failures[0] ?? 0) <= cutoff) tally.failures.shift();
    return tally;
  }

  function forgetExpired(): void {
    const cutoff = now() - windowMs;
    for (const [key, tally] of tallies) {
      if (tally.inFlight === 0 && tally.failures.every((at) => at <= cutoff)) tallies.delete(key);
    }
  }

  function forgetIfIdle(key: string, tally: Tally): void {
    if (tally.inFlight === 0 && tally.failures.length === 0 && tallies.get(key) === tally) tallies.delete(key);
  }

  return {
    begin(email, address) {
      const keys = { email: `email:${address} ${email}`, address: `address:${address}` };
      const byEmail = tallyOf(keys.email);
      const byAddress = tallyOf(keys.address);
      const isOver = (tally: Tally, limit: number) => tally.inFlight + tally.failures.length >= limit;
      if (isOver(byEmail, limits.email) || isOver(byAddress, limits.address)) {
        forgetIfIdle(keys.email, byEmail);
        forgetIfIdle(keys.address, byAddress);
        return undefined;
      }
      byEmail.inFlight += 1;
      byAddress.inFlight += 1;
      let isSettled = false;
      const settle = (record: () => void) => {
        if (isSettled) return;
        isSettled = true;
        record();
        byEmail.inFlight -= 1;
        byAddress.inFlight -= 1;
        forgetIfIdle(keys.email, byEmail);
        forgetIfIdle(keys.address, byAddress);
      };
      return {
        succeeded: () => settle(() => (byEmail.failures.length = 0)),
        failed: () =>
          settle(() => {
            const at = now();
            byEmail.failures.push(at);
            byAddress.failures.push(at);
          }),
        abandoned: () => settle(() => {}),
      };
    },
  };
}

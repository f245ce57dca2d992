import { describe, expect, it } from 'vitest';
import { createSignInThrottle, SIGN_IN_WINDOW_MS, type SignInAttempt } from './sign-in-throttle.js';

function fakeClock() {
  let at = 1_000_000;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

describe('sign-in throttle', () => {
  it('ED2 counts attempts in flight, so concurrent guesses past the allowance are refused before any is checked', () => {
    const throttle = createSignInThrottle({ maxPerEmail: 3, maxPerAddress: 100 });
    const admitted = Array.from({ length: 5 }, () => throttle.begin('a@example.com', '10.0.0.1'));
    expect(admitted.filter(Boolean)).toHaveLength(3);
  });

  it('ED2 failures count for the window; successes do not count against the address', () => {
    const clock = fakeClock();
    const throttle = createSignInThrottle({ now: clock.now, maxPerEmail: 2, maxPerAddress: 3 });
    for (let i = 0; i < 50; i++) throttle.begin(`user${i}@example.com`, '10.0.0.1')?.succeeded();
    throttle.begin('a@example.com', '10.0.0.1')?.failed();
    throttle.begin('a@example.com', '10.0.0.1')?.failed();
    expect(throttle.begin('a@example.com', '10.0.0.1')).toBeUndefined();
    throttle.begin('b@example.com', '10.0.0.1')?.failed();
    // The address has had three failures: every email from it waits now.
    expect(throttle.begin('c@example.com', '10.0.0.1')).toBeUndefined();
    expect(throttle.begin('c@example.com', '10.0.0.2')).toBeDefined();
    clock.advance(SIGN_IN_WINDOW_MS + 1);
    expect(throttle.begin('a@example.com', '10.0.0.1')).toBeDefined();
  });

  it('ED2 a success clears the email’s failures, and an attempt settles once', () => {
    const throttle = createSignInThrottle({ maxPerEmail: 2, maxPerAddress: 100 });
    throttle.begin('a@example.com', '10.0.0.1')?.failed();
    const attempt = throttle.begin('a@example.com', '10.0.0.1') as SignInAttempt;
    attempt.succeeded();
    attempt.failed();
    attempt.abandoned();
    throttle.begin('a@example.com', '10.0.0.1')?.failed();
    expect(throttle.begin('a@example.com', '10.0.0.1')).toBeDefined();
  });

  it('ED2 an abandoned attempt frees its place without counting as a failure', () => {
    const throttle = createSignInThrottle({ maxPerEmail: 1, maxPerAddress: 100 });
    throttle.begin('a@example.com', '10.0.0.1')?.abandoned();
    expect(throttle.begin('a@example.com', '10.0.0.1')).toBeDefined();
  });
});

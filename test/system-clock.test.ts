import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, systemClock } from '../src/telephony/provider.js';

const DAY_MS = 24 * 3600 * 1000;

// Vitest's fake timers run a delay over 2^31-1 ms at once, as Node does, so these tests fail
// against a clock that hands a far time straight to setTimeout.
describe('systemClock.schedule for any time ahead', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['30 days', 30 * DAY_MS],
    ['just past the longest timer', MAX_TIMER_DELAY_MS + 1],
    ['10 years', 3652 * DAY_MS],
  ])('a task %s ahead runs then, not before', (_what, ahead) => {
    const task = vi.fn();
    systemClock.schedule(Date.now() + ahead, task);
    vi.advanceTimersByTime(ahead - 1);
    expect(task).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('a near or past time runs once, at once for a past one', () => {
    const near = vi.fn();
    const past = vi.fn();
    systemClock.schedule(Date.now() + 500, near);
    systemClock.schedule(Date.now() - 500, past);
    vi.advanceTimersByTime(0);
    expect(past).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    expect(near).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * DAY_MS);
    expect([near.mock.calls.length, past.mock.calls.length]).toEqual([1, 1]);
  });

  it('cancelling stops a far task after it has been re-armed', () => {
    const task = vi.fn();
    const cancel = systemClock.schedule(Date.now() + 60 * DAY_MS, task);
    vi.advanceTimersByTime(40 * DAY_MS);
    cancel();
    vi.advanceTimersByTime(30 * DAY_MS);
    expect(task).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('Infinity never runs and holds no timer', () => {
    const task = vi.fn();
    systemClock.schedule(Infinity, task);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100 * 365 * DAY_MS);
    expect(task).not.toHaveBeenCalled();
  });
});

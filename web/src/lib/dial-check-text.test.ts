import { describe, expect, it } from 'vitest';
import type { DialCheck } from './compliance-api.js';
import { cityOf, clockOf, describeDialCheck, formatWait } from './dial-check-text.js';

const base: DialCheck = { allowed: true, zones: ['America/Chicago'], regions: ['IL'], localTimes: [{ zone: 'America/Chicago', time: '2026-12-07T10:14:00-06:00' }] };

describe('dial check text', () => {
  it('names the city and the wall-clock time of each zone', () => {
    expect(cityOf('America/Indiana/Indianapolis')).toBe('Indianapolis');
    expect(cityOf('America/Los_Angeles')).toBe('Los Angeles');
    expect(clockOf('2026-12-07T21:14:05-06:00')).toBe('21:14');
    expect(describeDialCheck(base, 0)).toEqual({ tone: 'good', title: 'Can call now', detail: '10:14 in Chicago' });
  });

  it('says waits in days, hours and minutes, rounding up', () => {
    expect(formatWait(0)).toBe('now');
    expect(formatWait(61_000)).toBe('in 2 min');
    expect(formatWait((10 * 60 + 46) * 60_000)).toBe('in 10 h 46 min');
    expect(formatWait(3 * 3_600_000)).toBe('in 3 h');
    expect(formatWait(24 * 3_600_000)).toBe('in 24 h');
    expect(formatWait((2 * 1440 + 3 * 60) * 60_000)).toBe('in 2 d 3 h');
  });

  it('counts the wait from the gate’s clock (the callee’s local time it answered with), not the browser’s', () => {
    const refused: DialCheck = {
      ...base,
      allowed: false,
      code: 'outside_calling_hours',
      message: 'It is 21:14 (Mon) where this number is (America/Chicago).',
      calleeLocalTime: '2026-12-07T21:14:00-06:00',
      opensAt: '2026-12-08T14:00:00Z',
    };
    const text = describeDialCheck(refused, Date.parse('2020-01-01T00:00:00Z'));
    expect(text.tone).toBe('bad');
    expect(text.detail).toBe('It is 21:14 (Mon) where this number is (America/Chicago). Opens in 10 h 46 min.');
  });

  it('names a do-not-call refusal and a lifetime cap without a next attempt', () => {
    expect(describeDialCheck({ ...base, allowed: false, code: 'do_not_call', message: 'On the list.' }, 0).title).toBe('On the do-not-call list');
    const capped = describeDialCheck({ ...base, allowed: false, code: 'attempt_limit_reached', message: 'Called 5 times.', nextAttemptAt: null }, 0);
    expect(capped.detail).toBe('Called 5 times. No further attempt is allowed.');
    const daily = describeDialCheck(
      { ...base, allowed: false, code: 'attempt_limit_reached', message: 'Called once today.', now: '2026-12-07T19:00:00Z', nextAttemptAt: '2026-12-08T19:00:00Z' },
      0,
    );
    expect(daily.detail).toBe('Called once today. Next attempt in 24 h.');
  });
});

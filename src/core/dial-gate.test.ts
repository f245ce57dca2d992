import { describe, expect, it } from 'vitest';
import type { CallingHoursDecision } from './calling-hours.js';
import { decideDial, effectiveCaps, nextLocalDayStart, type AttemptHistory, type DialFacts } from './dial-gate.js';

const OPEN: CallingHoursDecision = { allowed: true, localTimes: [{ zone: 'America/Chicago', time: '2026-12-09T12:00:00-06:00' }], closesAt: '2026-12-10T03:00:00.000Z' };
const CLOSED: CallingHoursDecision = {
  allowed: false,
  rule: 'federal',
  zone: 'America/Chicago',
  calleeLocalTime: '2026-12-09T21:14:00-06:00',
  opensAt: '2026-12-10T14:00:00.000Z',
  message: 'It is 21:14 (Wed) where this number is (America/Chicago).',
  localTimes: [{ zone: 'America/Chicago', time: '2026-12-09T21:14:00-06:00' }],
};
const NONE: AttemptHistory = { lifetime: 0, perDay: 0, last24h: [] };

function facts(overrides: Partial<DialFacts> = {}): DialFacts {
  return {
    now: '2026-12-09T18:00:00.000Z',
    phoneNumber: '+13125550100',
    doNotCall: { listed: null, lead: null },
    location: { zones: ['America/Chicago'], regions: ['IL'], rules: ['number'] },
    hours: OPEN,
    caps: effectiveCaps({ lifetime: null, perDay: null, per24h: 3 }, null),
    attempts: { number: NONE, lead: null },
    dayStart: '2026-12-09T06:00:00.000Z',
    nextDayStart: '2026-12-10T06:00:00.000Z',
    ...overrides,
  };
}

describe('CG1 the dial decision', () => {
  it('allows a dial with nothing against it', () => {
    expect(decideDial(facts())).toEqual({ allowed: true, rule: 'allowed' });
  });

  it('checks do-not-call first, then calling hours, then caps', () => {
    const everything = facts({
      doNotCall: { listed: { addedBy: 'a@example.com', addedAt: '2026-12-01T00:00:00.000Z', source: 'manual' }, lead: null },
      hours: CLOSED,
      attempts: { number: { lifetime: 9, perDay: 9, last24h: ['2026-12-09T01:00:00.000Z', '2026-12-09T02:00:00.000Z', '2026-12-09T03:00:00.000Z'] }, lead: null },
    });
    expect(decideDial(everything)).toMatchObject({ allowed: false, code: 'do_not_call', rule: 'dnc:list' });
    expect(decideDial({ ...everything, doNotCall: { listed: null, lead: null } })).toMatchObject({
      code: 'outside_calling_hours',
      rule: 'federal',
      calleeLocalTime: CLOSED.calleeLocalTime,
      opensAt: '2026-12-10T14:00:00.000Z',
    });
    expect(decideDial({ ...everything, doNotCall: { listed: null, lead: null }, hours: OPEN })).toMatchObject({ code: 'attempt_limit_reached' });
  });

  it('names the do_not_call lead when only its status says so', () => {
    const decision = decideDial(facts({ doNotCall: { listed: null, lead: { id: 'l1', name: 'Ada Lovelace' } } }));
    expect(decision).toMatchObject({ code: 'do_not_call', rule: 'dnc:lead_status', message: expect.stringMatching(/Ada Lovelace with this number asked not to be called/) });
  });

  it('a rolling 24-hour cap allows the next attempt when the oldest counted one is 24 hours old', () => {
    const last24h = ['2026-12-09T01:00:00.000Z', '2026-12-09T02:00:00.000Z', '2026-12-09T03:00:00.000Z'];
    const decision = decideDial(facts({ attempts: { number: { lifetime: 3, perDay: 3, last24h }, lead: null } }));
    expect(decision).toMatchObject({ code: 'attempt_limit_reached', rule: 'cap:number:per_24h:workspace', nextAttemptAt: '2026-12-10T01:00:00.000Z' });
    // Over the cap (it was lowered): the attempt that must leave is the one that brings the count under it.
    const lowered = decideDial(facts({ caps: effectiveCaps({ lifetime: null, perDay: null, per24h: 2 }, null), attempts: { number: { lifetime: 3, perDay: 3, last24h }, lead: null } }));
    expect(lowered).toMatchObject({ nextAttemptAt: '2026-12-10T02:00:00.000Z' });
  });

  it('a per-day cap allows the next attempt at the callee’s next local midnight; a lifetime cap never', () => {
    const caps = effectiveCaps({ lifetime: 5, perDay: 2, per24h: null }, null);
    const perDay = decideDial(facts({ caps, attempts: { number: { lifetime: 2, perDay: 2, last24h: [] }, lead: null } }));
    expect(perDay).toMatchObject({ rule: 'cap:number:per_day:workspace', nextAttemptAt: '2026-12-10T06:00:00.000Z' });
    const lifetime = decideDial(facts({ caps, attempts: { number: { lifetime: 5, perDay: 2, last24h: [] }, lead: null } }));
    expect(lifetime).toMatchObject({ rule: 'cap:number:lifetime:workspace', nextAttemptAt: null, message: expect.stringMatching(/no further attempt/) });
  });

  it('counts the lead apart from the number, and names the list when its cap is the stricter', () => {
    const caps = effectiveCaps({ lifetime: null, perDay: null, per24h: 3 }, { lifetime: null, perDay: null, per24h: 1 });
    expect(caps.per_24h).toEqual({ limit: 1, level: 'list' });
    const decision = decideDial(facts({ caps, attempts: { number: NONE, lead: { lifetime: 1, perDay: 1, last24h: ['2026-12-09T10:00:00.000Z'] } } }));
    expect(decision).toMatchObject({ rule: 'cap:lead:per_24h:list', nextAttemptAt: '2026-12-10T10:00:00.000Z', message: expect.stringMatching(/^This lead has been called 1 time in the last 24 hours and the lead's list allows 1/) });
  });

  it('with several caps reached, answers when all of them allow the next attempt', () => {
    const caps = effectiveCaps({ lifetime: null, perDay: 1, per24h: 1 }, null);
    const decision = decideDial(facts({ caps, attempts: { number: { lifetime: 1, perDay: 1, last24h: ['2026-12-09T17:00:00.000Z'] }, lead: null } }));
    expect(decision).toMatchObject({ rule: 'cap:number:per_24h:workspace', nextAttemptAt: '2026-12-10T17:00:00.000Z' });
  });

  it('the stricter cap of workspace and list, each kind on its own; null is no cap', () => {
    expect(effectiveCaps({ lifetime: null, perDay: 4, per24h: 3 }, { lifetime: 10, perDay: null, per24h: 5 })).toEqual({
      lifetime: { limit: 10, level: 'list' },
      per_day: { limit: 4, level: 'workspace' },
      per_24h: { limit: 3, level: 'workspace' },
    });
    expect(effectiveCaps({ lifetime: null, perDay: null, per24h: null }, null)).toEqual({ lifetime: null, per_day: null, per_24h: null });
  });
});

describe('the callee’s next local midnight', () => {
  it('is the earliest next midnight across zones', () => {
    const now = new Date('2026-12-09T18:00:00Z');
    expect(nextLocalDayStart(now, ['America/New_York', 'America/Chicago']).toISOString()).toBe('2026-12-10T05:00:00.000Z');
  });

  it('holds across DST: a 25-hour day (fall back) and a 23-hour day (spring forward)', () => {
    // 2026-11-01 in New York: 00:30 EDT, the day is 25 hours long; the next midnight is 2026-11-02 00:00 EST.
    expect(nextLocalDayStart(new Date('2026-11-01T04:30:00Z'), ['America/New_York']).toISOString()).toBe('2026-11-02T05:00:00.000Z');
    // 2026-03-08 in New York: 23:30 EDT on a 23-hour day; the next midnight is half an hour later.
    expect(nextLocalDayStart(new Date('2026-03-09T03:30:00Z'), ['America/New_York']).toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ABANDON_CONNECT_SECONDS,
  abandonmentRate,
  connectDeadline,
  isAbandoned,
  isAnsweredByPerson,
  linesAllowed,
  safeHarborMessage,
  speakPhoneNumber,
  type AbandonmentFacts,
} from './abandonment.js';

const ANSWER = new Date('2026-03-02T15:00:00.000Z');
const at = (ms: number) => new Date(ANSWER.getTime() + ms);
const facts = (fields: Partial<AbandonmentFacts>): AbandonmentFacts => ({ answeredAt: ANSWER, connectedAt: null, endedAt: null, answeredBy: null, ...fields });

describe('isAbandoned: answered by a person and not connected within 2 s of the greeting (47 CFR 64.1200(a)(7))', () => {
  it('the deadline is two seconds after the greeting, from the answer when the greeting’s end is unknown', () => {
    expect(ABANDON_CONNECT_SECONDS).toBe(2);
    expect(connectDeadline(facts({}))).toEqual(at(2000));
    expect(connectDeadline(facts({ greetingEndedAt: at(1500) }))).toEqual(at(3500));
    expect(connectDeadline(facts({ answeredAt: null }))).toBeNull();
  });

  it.each([
    ['connected at the answer', facts({ connectedAt: ANSWER }), at(60_000), false],
    ['connected exactly at the deadline', facts({ connectedAt: at(2000) }), at(60_000), false],
    ['connected 1 ms late', facts({ connectedAt: at(2001) }), at(60_000), true],
    ['connected late after a long greeting, still in time', facts({ greetingEndedAt: at(3000), connectedAt: at(4500) }), at(60_000), false],
    ['never connected, the callee hung up after the deadline', facts({ endedAt: at(9000) }), at(60_000), true],
    ['never connected, the callee hung up within the two seconds', facts({ endedAt: at(1500) }), at(60_000), false],
    ['never connected, the callee hung up after the deadline, asked at once', facts({ endedAt: at(5000) }), at(10), true],
    ['waiting for a rep, the deadline not yet reached', facts({}), at(1999), false],
    ['waiting for a rep, the deadline reached', facts({}), at(2000), true],
    ['a machine is never abandoned', facts({ answeredBy: 'machine_start', endedAt: at(9000) }), at(60_000), false],
    ['a fax is never abandoned', facts({ answeredBy: 'fax', endedAt: at(9000) }), at(60_000), false],
    ['AMD said unknown: a person, as far as anyone can tell', facts({ answeredBy: 'unknown', endedAt: at(9000) }), at(60_000), true],
    ['never answered', facts({ answeredAt: null, endedAt: at(9000) }), at(60_000), false],
  ] as const)('%s → %s', (_name, call, now, expected) => {
    expect(isAbandoned(call, now)).toBe(expected);
  });

  it('only machine and fax verdicts are not a person', () => {
    expect(['human', 'unknown', null].map(isAnsweredByPerson)).toEqual([true, true, true]);
    expect(['machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax'].map(isAnsweredByPerson)).toEqual([false, false, false, false, false]);
  });
});

describe('abandonmentRate: abandoned over answered by a person, in percent', () => {
  it('is a percentage, null without answered calls', () => {
    expect(abandonmentRate({ abandoned: 3, answeredByPerson: 100 })).toBe(3);
    expect(abandonmentRate({ abandoned: 1, answeredByPerson: 8 })).toBe(12.5);
    expect(abandonmentRate({ abandoned: 0, answeredByPerson: 5 })).toBe(0);
    expect(abandonmentRate({ abandoned: 0, answeredByPerson: 0 })).toBeNull();
  });

  it('refuses more abandoned calls than answered ones (a bug upstream)', () => {
    expect(() => abandonmentRate({ abandoned: 2, answeredByPerson: 1 })).toThrow(RangeError);
  });
});

describe('linesAllowed: extra lines only while every one of them could be abandoned within the limit', () => {
  it.each([
    [3, 0, 0, 3, 1, 3, 'nobody answered yet: the lines asked for'],
    [3, 10, 0, 3, 1, 1, 'too few connected without abandonment for one more line'],
    [3, 33, 0, 3, 1, 2, '33 people: one extra line (1 of 35 ≤ 3%)'],
    [3, 66, 0, 3, 1, 3, '66 people: two extra lines (2 of 69 ≤ 3%)'],
    [3, 1000, 0, 3, 1, 3, 'never more than asked for'],
    [3, 100, 3, 3, 1, 1, 'at the limit: one line'],
    [3, 100, 4, 3, 1, 1, 'over the limit: one line'],
    [3, 100, 1, 3, 1, 3, 'one abandoned in 100: room for two more'],
    [3, 1000, 0, 3, 5, 3, 'five sessions share a large budget'],
    [3, 100, 1, 3, 2, 2, 'two sessions share the budget of two extra lines'],
    [2, 100, 0, 1, 1, 2, 'a stricter workspace limit'],
    [3, 1000, 0, 0, 1, 1, 'a limit of 0%: one line always'],
    [1, 1000, 0, 3, 1, 1, 'one line asked for'],
  ] as const)('%i lines, %i answered, %i abandoned, %s%% limit, %i sessions → %i (%s)', (requested, answered, abandoned, limit, sessions, expected, _why) => {
    expect(linesAllowed(requested, { answered, abandoned }, limit, sessions)).toBe(expected);
  });

  it('the worst case of the lines allowed stays within the limit (seeded property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 6 }), (requested, answered, abandonedRaw, limitHundredths, sessions) => {
        const abandoned = Math.min(abandonedRaw, answered);
        const limitPercent = limitHundredths / 100;
        const lines = linesAllowed(requested, { answered, abandoned }, limitPercent, sessions);
        expect(lines).toBeGreaterThanOrEqual(1);
        expect(lines).toBeLessThanOrEqual(requested);
        // Every session of the list rounds at once, each abandoning all its extra lines.
        const extra = (lines - 1) * sessions;
        if (extra > 0) expect((abandoned + extra) / (answered + sessions + extra)).toBeLessThanOrEqual(limitPercent / 100 + 1e-9);
      }),
      { seed: 20261207, numRuns: 500 },
    );
  });

  it('refuses nonsense input', () => {
    expect(() => linesAllowed(0, { answered: 1, abandoned: 0 }, 3)).toThrow(RangeError);
    expect(() => linesAllowed(1.5, { answered: 1, abandoned: 0 }, 3)).toThrow(RangeError);
    expect(() => linesAllowed(2, { answered: 1, abandoned: 0 }, 3.5)).toThrow(RangeError);
    expect(() => linesAllowed(2, { answered: -1, abandoned: 0 }, 3)).toThrow(RangeError);
    expect(() => linesAllowed(2, { answered: 1, abandoned: 0 }, 3, 0)).toThrow(RangeError);
    expect(() => linesAllowed(2, { answered: 1, abandoned: 0 }, -1)).toThrow(RangeError);
  });
});

describe('safeHarborMessage: who is calling and a number to opt out (47 CFR 64.1200(a)(7)(i); 16 CFR 310.4(b)(4)(iii))', () => {
  it('says the purpose, the caller and the number, digit by digit', () => {
    const message = safeHarborMessage({ callerName: '  Acme   Solar ', optOutNumber: '+14155550123' });
    expect(message).toBe(
      'This call was made for telemarketing purposes on behalf of Acme Solar, and no representative is free to take it. To ask Acme Solar not to call you again, call 4 1 5, 5 5 5, 0 1 2 3.',
    );
  });

  it('offers the opt-out key when given one, and leaves the number out when there is none', () => {
    const message = safeHarborMessage({ callerName: 'Acme', optOutNumber: null, optOutKey: '9' });
    expect(message).toContain('on behalf of Acme');
    expect(message).not.toContain('call you again');
    expect(message).toContain('press 9');
  });

  it('speaks numbers outside North America with their country code', () => {
    expect(speakPhoneNumber('+442071838750')).toBe('plus 4 4 2 0 7 1 8 3 8 7 5 0');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideCallingHours,
  federalHolidays,
  isWithinCallingHours,
  localDayStart,
  type CalleeLocation,
  type CallingHoursInput,
  type CallingWindow,
  type RegionDayRule,
} from './calling-hours.js';

// A small rules table in the shape of the seeded defaults (db/migrations/0019).
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const RULES: readonly RegionDayRule[] = [
  ...WEEKDAYS.map((day) => ({ region: 'TX', day, window: { start: '09:00', end: '21:00' }, source: 'Tex. Bus. & Com. Code § 301.051' })),
  { region: 'TX', day: 'sun', window: { start: '12:00', end: '21:00' }, source: 'Tex. Bus. & Com. Code § 301.051' },
  ...[...WEEKDAYS, 'sun' as const].map((day) => ({ region: 'FL', day, window: { start: '08:00', end: '20:00' }, source: 'Fla. Stat. § 501.616(6)(a)' })),
  ...WEEKDAYS.map((day) => ({ region: 'AL', day, window: { start: '08:00', end: '20:00' }, source: 'Ala. Admin. Code r. 770-X-5-.17' })),
  { region: 'AL', day: 'sun', window: null, source: 'Ala. Admin. Code r. 770-X-5-.17' },
  { region: 'AL', day: 'holiday', window: null, source: 'Ala. Admin. Code r. 770-X-5-.17' },
  { region: 'AS', day: 'sun', window: null, source: 'test: no Sunday calls' },
  { region: 'GU', day: 'sun', window: null, source: 'test: no Sunday calls' },
];

const at = (zones: readonly string[], regions: readonly string[] = [], zoneRules?: Record<string, string>): CalleeLocation => ({
  zones,
  regions,
  rules: ['number'],
  ...(zoneRules === undefined ? {} : { zoneRules }),
});

function decide(location: CalleeLocation, now: string, windows: CallingHoursInput['windows'] = []) {
  return decideCallingHours({ location, windows, regionRules: RULES, now: new Date(now) });
}

const CHICAGO = at(['America/Chicago']);
const PANHANDLE = at(['America/New_York', 'America/Chicago'], ['FL'], { 'America/New_York': 'number', 'America/Chicago': 'multi_zone_area:850' });

describe('CH1 calling hours are the federal 08:00–21:00 in the callee’s zone (47 CFR 64.1200(c)(1))', () => {
  it.each([
    ['07:59:59 CDT is closed', '2026-06-09T12:59:59Z', false],
    ['08:00:00 CDT is open', '2026-06-09T13:00:00Z', true],
    ['20:59:59 CDT is open', '2026-06-10T01:59:59Z', true],
    ['21:00:00 CDT is closed', '2026-06-10T02:00:00Z', false],
    ['03:00 CST (winter) is closed', '2026-12-08T09:00:00Z', false],
    ['14:00 CST (winter) is open', '2026-12-08T20:00:00Z', true],
  ])('%s', (_name, now, allowed) => {
    expect(decide(CHICAGO, now).allowed).toBe(allowed);
  });

  it('a refusal names the rule, the zone, the local time there and when the window opens, in words', () => {
    expect(decide(CHICAGO, '2026-06-09T12:14:00Z')).toEqual({
      allowed: false,
      rule: 'federal',
      zone: 'America/Chicago',
      calleeLocalTime: '2026-06-09T07:14:00-05:00',
      opensAt: '2026-06-09T13:00:00.000Z',
      message:
        'It is 07:14 (Tue) where this number is (America/Chicago): calls are allowed 08:00–21:00 there. The window opens at 08:00 local time (13:00 UTC).',
      localTimes: [{ zone: 'America/Chicago', time: '2026-06-09T07:14:00-05:00' }],
    });
  });

  it('after the close the window opens the next morning, and the message says which day', () => {
    const decision = decide(CHICAGO, '2026-12-09T03:14:00Z');
    expect(decision).toMatchObject({ allowed: false, rule: 'federal', calleeLocalTime: '2026-12-08T21:14:00-06:00', opensAt: '2026-12-09T14:00:00.000Z' });
    expect(decision.allowed === false && decision.message).toBe(
      'It is 21:14 (Tue) where this number is (America/Chicago): calls are allowed 08:00–21:00 there. The window opens on Wed 2026-12-09 at 08:00 local time (Wed 14:00 UTC).',
    );
  });

  it('an allowed call says every zone’s local time and when the first window closes', () => {
    expect(decide(PANHANDLE, '2026-06-09T15:00:00Z')).toEqual({
      allowed: true,
      localTimes: [
        { zone: 'America/New_York', time: '2026-06-09T11:00:00-04:00' },
        { zone: 'America/Chicago', time: '2026-06-09T10:00:00-05:00' },
      ],
      // Florida's 20:00 close in the Eastern part comes first.
      closesAt: '2026-06-10T00:00:00.000Z',
    });
  });
});

describe('CH2 an area spanning several zones is called only when every zone is open', () => {
  it.each([
    // [name, now, rule, zone, opensAt]
    ['08:30 Eastern / 07:30 Central: the Central part of 850 is closed', '2026-06-09T12:30:00Z', 'multi_zone_area:850', 'America/Chicago', '2026-06-09T13:00:00.000Z'],
    ['21:30 Eastern / 20:30 Central: the number’s own zone is closed', '2026-06-10T01:30:00Z', 'federal', 'America/New_York', '2026-06-10T13:00:00.000Z'],
    ['20:30 Eastern: Florida’s 20:00 close', '2026-06-10T00:30:00Z', 'region:FL:tue', 'America/New_York', '2026-06-10T13:00:00.000Z'],
  ])('%s', (_name, now, rule, zone, opensAt) => {
    expect(decide(PANHANDLE, now)).toMatchObject({ allowed: false, rule, zone, opensAt });
  });

  it('the message names the area code that brought the closed zone in', () => {
    const decision = decide(PANHANDLE, '2026-06-09T12:30:00Z');
    expect(decision.allowed === false && decision.message).toBe(
      'It is 07:30 (Tue) in America/Chicago, one of the time zones area code 850 spans: calls are allowed 08:00–20:00 there. The window opens at 08:00 local time (13:00 UTC).',
    );
  });

  it('a number with no fixed place waits for every US zone (Hawaii and Alaska included)', () => {
    const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'America/Adak', 'Pacific/Honolulu'];
    const everywhere = at(zones, [], Object.fromEntries(zones.map((zone) => [zone, 'country_zones'])));
    // 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles (the first zone still closed), 05:00 in Honolulu.
    const decision = decide(everywhere, '2026-12-08T15:00:00Z');
    expect(decision).toMatchObject({ allowed: false, rule: 'country_zones', zone: 'America/Los_Angeles', opensAt: '2026-12-08T18:00:00.000Z' });
    expect(decision.allowed === false && decision.message).toContain('in America/Los_Angeles, one of the time zones a number with no fixed place is checked in');
    expect(decide(everywhere, '2026-12-08T18:00:00Z').allowed).toBe(true);
    // The last to close is New York at 21:00 EST = 02:00 UTC.
    expect(decide(everywhere, '2026-12-09T01:59:00Z').allowed).toBe(true);
    expect(decide(everywhere, '2026-12-09T02:00:00Z')).toMatchObject({ allowed: false, zone: 'America/New_York', rule: 'country_zones' });
  });
});

describe('CH3 daylight saving time, both ways (America/New_York)', () => {
  it.each([
    // Spring forward on Sunday 2026-03-08: 08:00 that day is EDT, 12:00 UTC; the day before it was 13:00 UTC.
    ['Saturday night before spring forward', '2026-03-08T02:30:00Z', '2026-03-07T21:30:00-05:00', '2026-03-08T12:00:00.000Z'],
    ['07:30 EDT on the spring-forward morning', '2026-03-08T11:30:00Z', '2026-03-08T07:30:00-04:00', '2026-03-08T12:00:00.000Z'],
    // Fall back on Sunday 2026-11-01: 08:00 that day is EST, 13:00 UTC.
    ['Saturday night before fall back', '2026-11-01T01:30:00Z', '2026-10-31T21:30:00-04:00', '2026-11-01T13:00:00.000Z'],
    ['01:30 in the repeated hour (the second one, EST)', '2026-11-01T06:30:00Z', '2026-11-01T01:30:00-05:00', '2026-11-01T13:00:00.000Z'],
  ])('%s', (_name, now, calleeLocalTime, opensAt) => {
    expect(decide(at(['America/New_York']), now)).toMatchObject({ allowed: false, rule: 'federal', calleeLocalTime, opensAt });
  });

  it('the window is open at 08:00 local on both change days, and closed a second before', () => {
    const newYork = at(['America/New_York']);
    expect(decide(newYork, '2026-03-08T12:00:00Z').allowed).toBe(true);
    expect(decide(newYork, '2026-03-08T11:59:59Z').allowed).toBe(false);
    expect(decide(newYork, '2026-11-01T13:00:00Z').allowed).toBe(true);
    expect(decide(newYork, '2026-11-01T12:59:59Z').allowed).toBe(false);
  });
});

describe('CH4 state rules for the callee’s local day', () => {
  const dallas = at(['America/Chicago'], ['TX']);
  it.each([
    ['Texas Sunday 10:00: not before noon', dallas, '2026-12-06T16:00:00Z', { allowed: false, rule: 'region:TX:sun', opensAt: '2026-12-06T18:00:00.000Z' }],
    ['Texas Sunday 12:00: open', dallas, '2026-12-06T18:00:00Z', { allowed: true }],
    ['Texas Monday 08:30: not before 09:00', dallas, '2026-12-07T14:30:00Z', { allowed: false, rule: 'region:TX:mon', opensAt: '2026-12-07T15:00:00.000Z' }],
    ['Alabama Sunday: no calls; Monday 08:00 opens', at(['America/Chicago'], ['AL']), '2026-12-06T16:00:00Z', { allowed: false, rule: 'region:AL:sun', opensAt: '2026-12-07T14:00:00.000Z' }],
  ])('%s', (_name, location, now, expected) => {
    expect(decide(location, now)).toMatchObject(expected);
  });

  it('a day closed by a state says so', () => {
    const decision = decide(at(['America/Chicago'], ['AL']), '2026-12-06T16:00:00Z');
    expect(decision.allowed === false && decision.message).toBe(
      "It is 10:00 (Sun) where this number is (America/Chicago): no calls are allowed there today (AL's rule for Sundays). The window opens on Mon 2026-12-07 at 08:00 local time (Mon 14:00 UTC).",
    );
  });
});

describe('CH5 federal holidays (5 U.S.C. 6103): a holiday row takes the weekday’s place', () => {
  const birmingham = at(['America/Chicago'], ['AL']);
  it.each([
    ['Christmas 2026 (a Friday) in Alabama', birmingham, '2026-12-25T16:00:00Z', { allowed: false, rule: 'holiday:region:AL', opensAt: '2026-12-26T14:00:00.000Z' }],
    ['Independence Day 2026 is a Saturday, observed Friday July 3', birmingham, '2026-07-03T16:00:00Z', { allowed: false, rule: 'holiday:region:AL' }],
    ['... and the Saturday itself is kept too', birmingham, '2026-07-04T16:00:00Z', { allowed: false, rule: 'holiday:region:AL', opensAt: '2026-07-06T13:00:00.000Z' }],
    ['the day before Christmas is an ordinary Thursday', birmingham, '2026-12-24T16:00:00Z', { allowed: true }],
    ['Florida has no holiday row: its weekday row applies on Christmas', at(['America/New_York'], ['FL']), '2026-12-25T16:00:00Z', { allowed: true }],
  ])('%s', (_name, location, now, expected) => {
    expect(decide(location, now)).toMatchObject(expected);
  });

  it('the holiday is the callee’s local date: 23:30 UTC on Christmas Eve is Christmas in Guam, not in Alabama', () => {
    const rules: RegionDayRule[] = [{ region: 'GU', day: 'holiday', window: null, source: 'test' }];
    const guam = decideCallingHours({ location: at(['Pacific/Guam'], ['GU']), windows: [], regionRules: rules, now: new Date('2026-12-24T23:30:00Z') });
    expect(guam).toMatchObject({ allowed: false, rule: 'holiday:region:GU', calleeLocalTime: '2026-12-25T09:30:00+10:00' });
  });

  it.each([
    [2020, ['2020-01-01', '2020-01-20', '2020-02-17', '2020-05-25', '2020-07-03', '2020-07-04', '2020-09-07', '2020-10-12', '2020-11-11', '2020-11-26', '2020-12-25']],
    // Juneteenth from 2021, on a Saturday that year; New Year's Day 2022 is a Saturday, observed Friday 2021-12-31.
    [2021, ['2021-01-01', '2021-01-18', '2021-02-15', '2021-05-31', '2021-06-18', '2021-06-19', '2021-07-04', '2021-07-05', '2021-09-06', '2021-10-11', '2021-11-11', '2021-11-25', '2021-12-24', '2021-12-25', '2021-12-31']],
    [2026, ['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03', '2026-07-04', '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25']],
    [2027, ['2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31', '2027-06-18', '2027-06-19', '2027-07-04', '2027-07-05', '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25', '2027-12-24', '2027-12-25', '2027-12-31']],
  ])('federalHolidays(%i): each holiday on its date and, on a weekend, the day it is observed', (year, expected) => {
    expect(federalHolidays(year)).toEqual(expected);
  });
});

describe('CH6 the lead’s own time zone and state are checked too', () => {
  it('a lead in Los Angeles with a Chicago number: refused while it is 07:30 in Los Angeles', () => {
    const location = at(['America/Chicago', 'America/Los_Angeles'], [], { 'America/Chicago': 'number', 'America/Los_Angeles': 'lead_time_zone' });
    const decision = decide(location, '2026-06-09T14:30:00Z');
    expect(decision).toMatchObject({ allowed: false, rule: 'lead_time_zone', zone: 'America/Los_Angeles', opensAt: '2026-06-09T15:00:00.000Z' });
    expect(decision.allowed === false && decision.message).toContain("in the lead's time zone (America/Los_Angeles)");
  });

  it('a lead in Texas with a California number: Texas’s Sunday rule applies in the number’s zone', () => {
    const location = at(['America/Los_Angeles'], ['CA', 'TX']);
    expect(decide(location, '2026-12-06T18:00:00Z')).toMatchObject({ allowed: false, rule: 'region:TX:sun', opensAt: '2026-12-06T20:00:00.000Z' });
    expect(decide(location, '2026-12-06T20:00:00Z').allowed).toBe(true);
  });
});

describe('CH7 the date line: the same instant is Sunday in American Samoa and Monday in Guam', () => {
  const samoa = at(['Pacific/Pago_Pago'], ['AS']);
  const guam = at(['Pacific/Guam'], ['GU']);
  it('a Sunday rule refuses American Samoa and not Guam at the same instant', () => {
    expect(decide(samoa, '2026-12-06T23:00:00Z')).toMatchObject({ allowed: false, rule: 'region:AS:sun', calleeLocalTime: '2026-12-06T12:00:00-11:00', opensAt: '2026-12-07T19:00:00.000Z' });
    expect(decide(guam, '2026-12-06T23:00:00Z')).toEqual({
      allowed: true,
      localTimes: [{ zone: 'Pacific/Guam', time: '2026-12-07T09:00:00+10:00' }],
      closesAt: '2026-12-07T11:00:00.000Z',
    });
  });

  it('a callee who may be in either waits until both clocks are in their windows', () => {
    const both = at(['Pacific/Pago_Pago', 'Pacific/Guam']);
    // 20:00 UTC: 09:00 Sunday in Pago Pago, 06:00 Monday in Guam; both open from 22:00 UTC.
    const decision = decide(both, '2026-12-06T20:00:00Z');
    expect(decision).toMatchObject({ allowed: false, zone: 'Pacific/Guam', opensAt: '2026-12-06T22:00:00.000Z' });
    expect(decision.localTimes).toEqual([
      { zone: 'Pacific/Pago_Pago', time: '2026-12-06T09:00:00-11:00' },
      { zone: 'Pacific/Guam', time: '2026-12-07T06:00:00+10:00' },
    ]);
  });

  it('localDayStart takes the latest local midnight: Guam’s Monday began after Pago Pago’s Sunday', () => {
    expect(localDayStart(new Date('2026-12-06T20:00:00Z'), ['Pacific/Pago_Pago', 'Pacific/Guam']).toISOString()).toBe('2026-12-06T14:00:00.000Z');
    expect(localDayStart(new Date('2026-12-06T20:00:00Z'), ['Pacific/Pago_Pago']).toISOString()).toBe('2026-12-06T11:00:00.000Z');
    // Midnight before spring forward is still EST.
    expect(localDayStart(new Date('2026-03-08T15:00:00Z'), ['America/New_York']).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(() => localDayStart(new Date('2026-03-08T15:00:00Z'), [])).toThrow();
  });
});

describe('CH8 the workspace’s and the list’s windows only narrow it', () => {
  const windows: CallingHoursInput['windows'] = [
    { level: 'workspace', window: { start: '09:00', end: '17:00' } },
    { level: 'list', window: { start: '10:00', end: '18:00' } },
  ];
  it.each([
    ['09:30: the list opens at 10:00', '2026-06-09T14:30:00Z', { allowed: false, rule: 'list', opensAt: '2026-06-09T15:00:00.000Z' }],
    ['08:30: both are closed; the workspace is named first', '2026-06-09T13:30:00Z', { allowed: false, rule: 'workspace', opensAt: '2026-06-09T15:00:00.000Z' }],
    ['17:30: the workspace has closed', '2026-06-09T22:30:00Z', { allowed: false, rule: 'workspace', opensAt: '2026-06-10T15:00:00.000Z' }],
    ['12:00: open until the workspace’s 17:00', '2026-06-09T17:00:00Z', { allowed: true, closesAt: '2026-06-09T22:00:00.000Z' }],
  ])('%s', (_name, now, expected) => {
    expect(decide(CHICAGO, now, windows)).toMatchObject(expected);
  });

  it('the message gives the effective window and whose rule closed it', () => {
    const decision = decide(CHICAGO, '2026-06-09T14:30:00Z', windows);
    expect(decision.allowed === false && decision.message).toBe(
      "It is 09:30 (Tue) where this number is (America/Chicago): calls are allowed 10:00–17:00 there (the list's hours). The window opens at 10:00 local time (15:00 UTC).",
    );
  });

  it('windows that never overlap across the zones give no opening within 8 days', () => {
    const apart = at(['Pacific/Kiritimati', 'Pacific/Pago_Pago']);
    const decision = decide(apart, '2026-06-09T12:00:00Z', [{ level: 'workspace', window: { start: '08:00', end: '09:00' } }]);
    expect(decision).toMatchObject({ allowed: false, opensAt: null });
    expect(decision.allowed === false && decision.message).toMatch(/No window opens in the next 8 days\.$/);
  });
});

describe('CH9 opensAt is open everywhere, and nothing before it is (seeded property)', () => {
  const LOCATIONS: readonly CalleeLocation[] = [
    CHICAGO,
    PANHANDLE,
    at(['America/Chicago', 'America/Denver'], ['TX']),
    at(['Pacific/Pago_Pago', 'Pacific/Guam'], ['AS', 'GU']),
    at(['America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu', 'America/Adak'], ['AL']),
    at(['America/Phoenix', 'America/Denver'], ['FL']),
  ];
  const WINDOWS: readonly CallingWindow[] = [
    { start: '08:00', end: '21:00' },
    { start: '09:30', end: '17:15' },
    { start: '12:00', end: '13:00' },
  ];
  const MINUTE = 60_000;

  it('for random instants across 2026 and its DST changes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
        fc.constantFrom(...LOCATIONS),
        fc.constantFrom(...WINDOWS),
        (instant, location, window) => {
          const input = { location, windows: [{ level: 'workspace' as const, window }], regionRules: RULES };
          const decision = decideCallingHours({ ...input, now: new Date(instant) });
          expect(decision.allowed).toBe(isWithinCallingHours({ ...input, now: new Date(instant) }));
          if (decision.allowed || decision.opensAt === null) return;
          const opensAt = Date.parse(decision.opensAt);
          expect(opensAt).toBeGreaterThan(instant);
          expect(isWithinCallingHours({ ...input, now: new Date(opensAt) })).toBe(true);
          expect(isWithinCallingHours({ ...input, now: new Date(opensAt - 1000) })).toBe(false);
          // Windows open on whole minutes: no whole minute between now and opensAt is open.
          for (let t = Math.ceil(instant / MINUTE) * MINUTE; t < opensAt; t += MINUTE) {
            if (isWithinCallingHours({ ...input, now: new Date(t) })) throw new Error(`open at ${new Date(t).toISOString()}, before opensAt ${decision.opensAt}`);
          }
        },
      ),
      { seed: 20261207, numRuns: 100 },
    );
  });
});

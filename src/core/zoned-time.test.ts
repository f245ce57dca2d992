import { describe, expect, it } from 'vitest';
import { firstInstantAtLocal, formatLocalIso, isTimeZone, localParts } from './zoned-time.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('CH3 wall-clock time in IANA zones', () => {
  it.each([
    ['an ordinary morning', 'America/New_York', { year: 2026, month: 6, day: 9 }, 8 * 3600, '2026-06-09T12:00:00.000Z'],
    // Spring forward: 02:00 EST jumps to 03:00 EDT at 07:00 UTC; 02:30 never shows, so the first
    // instant reading 02:30 or later is the jump itself.
    ['a time clocks skip', 'America/New_York', { year: 2026, month: 3, day: 8 }, 2.5 * 3600, '2026-03-08T07:00:00.000Z'],
    // Fall back: 01:30 shows twice (EDT, then EST); the first is 05:30 UTC.
    ['a time clocks show twice', 'America/New_York', { year: 2026, month: 11, day: 1 }, 1.5 * 3600, '2026-11-01T05:30:00.000Z'],
    ['midnight on the spring-forward day', 'America/New_York', { year: 2026, month: 3, day: 8 }, 0, '2026-03-08T05:00:00.000Z'],
    // Samoa skipped 2011-12-30 entirely (it moved across the date line): its midnight is the next day's.
    ['a day a zone skipped', 'Pacific/Apia', { year: 2011, month: 12, day: 30 }, 0, '2011-12-30T10:00:00.000Z'],
    ['east of UTC, across midnight UTC', 'Pacific/Guam', { year: 2026, month: 12, day: 7 }, 8 * 3600, '2026-12-06T22:00:00.000Z'],
  ])('firstInstantAtLocal: %s', (_name, zone, date, second, expected) => {
    expect(iso(firstInstantAtLocal(zone, date, second))).toBe(expected);
  });

  it('localParts and formatLocalIso read the offset in force at the instant', () => {
    expect(formatLocalIso(Date.parse('2026-11-01T05:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-04:00');
    expect(formatLocalIso(Date.parse('2026-11-01T06:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-05:00');
    expect(formatLocalIso(Date.parse('2026-06-09T12:00:00Z'), 'Asia/Kolkata')).toBe('2026-06-09T17:30:00+05:30');
    expect(localParts(Date.parse('2026-12-06T23:00:00Z'), 'Pacific/Pago_Pago')).toMatchObject({ day: 6, weekday: 0, offsetMinutes: -660 });
    expect(localParts(Date.parse('2026-12-06T23:00:00Z'), 'Pacific/Guam')).toMatchObject({ day: 7, weekday: 1, offsetMinutes: 600 });
  });

  it.each([
    ['America/Chicago', true],
    ['America/North_Dakota/New_Salem', true],
    ['Etc/GMT+5', true],
    ['UTC', true],
    ['Mars/Olympus_Mons', false],
    ['America/Chicago; drop table', false],
    ['', false],
  ])('isTimeZone(%j) is %s', (zone, expected) => {
    expect(isTimeZone(zone)).toBe(expected);
  });
});

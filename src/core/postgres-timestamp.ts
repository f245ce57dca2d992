/**
 * `timestamptz` input as Postgres reads it, for the forms realtime filters accept: ISO 8601
 * with a date, a time and an explicit offset (`2026-01-01T09:30:00.123456+02:00`, `... Z`,
 * a space for the T), `infinity`, `-infinity` and `epoch`. Postgres takes many more forms
 * (month names, zone names, `now`, no offset at all); those are refused as unsupported rather
 * than guessed, because a value without an offset means the database session's time zone.
 */

/** An instant to the microsecond, or one of the infinities (which sort after and before every instant). */
export type Instant = { readonly kind: 'finite'; readonly micros: bigint } | { readonly kind: 'infinity' } | { readonly kind: '-infinity' };

export type InstantRead =
  | { readonly ok: true; readonly value: Instant }
  | { readonly ok: false; readonly isUnsupported: boolean; readonly reason: string };

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2})(?::(\d{2})(?::(\d{2}))?|(\d{2}))?)$/;
/** Postgres refuses a zone offset of 16 hours or more (MAX_TZDISP_HOUR). */
const MAX_OFFSET_HOURS = 15;
const MICROS_PER_SECOND = 1_000_000n;

const unsupported = (reason: string): InstantRead => ({ ok: false, isUnsupported: true, reason });
const outOfRange = (text: string): InstantRead => ({ ok: false, isUnsupported: false, reason: `date/time field value out of range: "${text}"` });

export function readTimestamptz(text: string): InstantRead {
  const special = text.toLowerCase();
  if (special === 'infinity') return { ok: true, value: { kind: 'infinity' } };
  if (special === '-infinity') return { ok: true, value: { kind: '-infinity' } };
  if (special === 'epoch') return { ok: true, value: { kind: 'finite', micros: 0n } };
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) {
    return unsupported(`"${text}" is not a timestamp realtime reads: use ISO 8601 with an offset, such as 2026-01-31T09:30:00.000000+00:00`);
  }
  const [, year = '', month = '', day = '', hour = '', minute = '', second = '0', fraction = '', zulu, sign, offsetHours = '0', colonMinutes, offsetSeconds = '0', plainMinutes] = match;
  const offsetMinutes = colonMinutes ?? plainMinutes ?? '0';
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  // Year 0, 24:00 and leap seconds are accepted by Postgres in ways not worth mirroring.
  if (y === 0 || h === 24 || s === 60) return unsupported(`"${text}" is a timestamp realtime does not read`);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return outOfRange(text);
  // Postgres rounds to the microsecond through floating point; past six digits only zeros are exact.
  if (fraction.length > 6 && !/^0*$/.test(fraction.slice(6))) return unsupported(`"${text}" has more than microsecond precision`);
  const [oh, om, os] = [offsetHours, offsetMinutes, offsetSeconds].map(Number) as [number, number, number];
  if (zulu === undefined && (oh > MAX_OFFSET_HOURS || om > 59 || os > 59)) return unsupported(`"${text}" has a time zone offset out of range`);
  const offsetSecondsTotal = zulu === undefined ? (sign === '-' ? -1 : 1) * (oh * 3600 + om * 60 + os) : 0;
  const micros = BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  const seconds = BigInt(daysFromCivil(y, mo, d)) * 86_400n + BigInt(h * 3600 + mi * 60 + s - offsetSecondsTotal);
  return { ok: true, value: { kind: 'finite', micros: seconds * MICROS_PER_SECOND + micros } };
}

export function compareInstants(a: Instant, b: Instant): number {
  const rank = (instant: Instant) => (instant.kind === '-infinity' ? -1 : instant.kind === 'infinity' ? 1 : 0);
  const byRank = rank(a) - rank(b);
  if (byRank !== 0 || a.kind !== 'finite' || b.kind !== 'finite') return Math.sign(byRank);
  return a.micros === b.micros ? 0 : a.micros < b.micros ? -1 : 1;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (as Postgres counts). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

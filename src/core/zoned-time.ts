// Wall-clock time in IANA zones with nothing but Intl.DateTimeFormat (the platform's tz database),
// so daylight saving and the date line come from the same data the rest of the runtime uses.

/** A calendar date (month 1–12). */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** What a clock on the wall in `zone` reads at an instant; weekday 0 = Sunday; offset in minutes east of UTC. */
export interface LocalParts extends CalendarDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
  readonly offsetMinutes: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether the runtime knows `zone` as an IANA time zone name (e.g. 'America/Chicago'). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The weekday (0 = Sunday) of a calendar date. */
export function weekdayOf(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** 'Sun' … 'Sat'. */
export function weekdayName(weekday: number): string {
  return WEEKDAYS[weekday] ?? '?';
}

/** The date `days` after `date` (negative: before). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** 'YYYY-MM-DD'. */
export function formatDate(date: CalendarDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** The wall clock in `zone` at `instantMs` (whole seconds; sub-second parts are dropped). */
export function localParts(instantMs: number, zone: string): LocalParts {
  const instant = Math.floor(instantMs / 1000) * 1000;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields['year'] ?? 0;
  const month = fields['month'] ?? 1;
  const day = fields['day'] ?? 1;
  const hour = fields['hour'] ?? 0;
  const minute = fields['minute'] ?? 0;
  const second = fields['second'] ?? 0;
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday: weekdayOf({ year, month, day }),
    offsetMinutes: Math.round((wallAsUtc - instant) / MINUTE_MS),
  };
}

/** The instant as the wall clock in `zone` shows it, ISO 8601 with its offset: '2026-03-08T08:00:00-04:00'. */
export function formatLocalIso(instantMs: number, zone: string): string {
  const p = localParts(instantMs, zone);
  const sign = p.offsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(p.offsetMinutes);
  return `${formatDate(p)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
}

/**
 * The first instant at which the wall clock in `zone` on `date` reads `secondOfDay` or later
 * (milliseconds since the epoch). A time that occurs twice (clocks set back) gives its first
 * occurrence; a time that does not occur (clocks set forward over it) gives the moment the clocks
 * jump, which is when a window starting then really opens.
 */
export function firstInstantAtLocal(zone: string, date: CalendarDate, secondOfDay: number): number {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day) + secondOfDay * 1000;
  const offsetBefore = localParts(wallAsUtc - DAY_MS, zone).offsetMinutes * MINUTE_MS;
  const offsetAfter = localParts(wallAsUtc + DAY_MS, zone).offsetMinutes * MINUTE_MS;
  const readsAtLeast = (instant: number): boolean => {
    const p = localParts(instant, zone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) >= wallAsUtc;
  };
  for (const instant of [wallAsUtc - offsetBefore, wallAsUtc - offsetAfter].sort((a, b) => a - b)) {
    // Sorted, so a time that occurs twice gives its first occurrence.
    if (localParts(instant, zone).offsetMinutes * MINUTE_MS === wallAsUtc - instant) return instant;
  }
  // A gap: the answer lies between the two readings; offsets change on whole minutes.
  let low = Math.min(wallAsUtc - offsetBefore, wallAsUtc - offsetAfter);
  let high = Math.max(wallAsUtc - offsetBefore, wallAsUtc - offsetAfter);
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (readsAtLeast(middle)) high = middle;
    else low = middle;
  }
  return readsAtLeast(low) ? low : high;
}

import { addDays, formatDate, weekdayOf, type CalendarDate } from './zoned-time.js';

/**
 * The legal public holidays of 5 U.S.C. 6103(a). Juneteenth is one from 2021 (Pub. L. 117-17).
 * Inauguration Day (6103(c)) is left out: it is a holiday only for federal employees in and
 * around the District of Columbia.
 */
const HOLIDAYS: readonly { readonly name: string; readonly since?: number; readonly date: (year: number) => CalendarDate }[] = [
  { name: "New Year's Day", date: (year) => ({ year, month: 1, day: 1 }) },
  { name: 'Birthday of Martin Luther King, Jr.', date: (year) => nthWeekday(year, 1, 1, 3) },
  { name: "Washington's Birthday", date: (year) => nthWeekday(year, 2, 1, 3) },
  { name: 'Memorial Day', date: (year) => lastWeekday(year, 5, 1) },
  { name: 'Juneteenth National Independence Day', since: 2021, date: (year) => ({ year, month: 6, day: 19 }) },
  { name: 'Independence Day', date: (year) => ({ year, month: 7, day: 4 }) },
  { name: 'Labor Day', date: (year) => nthWeekday(year, 9, 1, 1) },
  { name: 'Columbus Day', date: (year) => nthWeekday(year, 10, 1, 2) },
  { name: 'Veterans Day', date: (year) => ({ year, month: 11, day: 11 }) },
  { name: 'Thanksgiving Day', date: (year) => nthWeekday(year, 11, 4, 4) },
  { name: 'Christmas Day', date: (year) => ({ year, month: 12, day: 25 }) },
];

/** The `nth` (1-based) `weekday` (0 = Sunday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, nth: number): CalendarDate {
  const first = { year, month, day: 1 };
  return addDays(first, ((weekday - weekdayOf(first) + 7) % 7) + (nth - 1) * 7);
}

function lastWeekday(year: number, month: number, weekday: number): CalendarDate {
  const last = addDays({ year: month === 12 ? year + 1 : year, month: month === 12 ? 1 : month + 1, day: 1 }, -1);
  return addDays(last, -((weekdayOf(last) - weekday + 7) % 7));
}

/** A Saturday holiday is observed the Friday before, a Sunday one the Monday after (5 U.S.C. 6103(b), E.O. 11582). */
function observed(date: CalendarDate): CalendarDate {
  const weekday = weekdayOf(date);
  return weekday === 6 ? addDays(date, -1) : weekday === 0 ? addDays(date, 1) : date;
}

const cache = new Map<number, readonly string[]>();

/**
 * The days of `year` that count as US federal holidays for calling-hour rules, 'YYYY-MM-DD',
 * sorted: each legal public holiday of 5 U.S.C. 6103(a) on its own date and, when that is a
 * weekend, also on the weekday it is observed (6103(b)). Both, because a state rule that bars
 * calls on a holiday is read most safely as covering the day itself and its observance.
 * A New Year's Day on a Saturday is observed on December 31 of the year before, so that date
 * belongs to the earlier year's list.
 */
export function federalHolidays(year: number): readonly string[] {
  const known = cache.get(year);
  if (known !== undefined) return known;
  const days = new Set<string>();
  for (const holidayYear of [year, year + 1]) {
    for (const holiday of HOLIDAYS) {
      if (holiday.since !== undefined && holidayYear < holiday.since) continue;
      const actual = holiday.date(holidayYear);
      for (const date of [actual, observed(actual)]) if (date.year === year) days.add(formatDate(date));
    }
  }
  const sorted = [...days].sort();
  cache.set(year, sorted);
  return sorted;
}

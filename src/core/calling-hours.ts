import { federalHolidays } from './federal-holidays.js';
import {
  addDays,
  firstInstantAtLocal,
  formatDate,
  formatLocalIso,
  localParts,
  weekdayName,
  weekdayOf,
  type CalendarDate,
} from './zoned-time.js';

export { federalHolidays };

/** The days a calling-hour rule is kept for; 'holiday' is a US federal holiday ({@link federalHolidays}). */
export const RULE_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'holiday'] as const;
export type RuleDay = (typeof RULE_DAYS)[number];

export function isRuleDay(value: string): value is RuleDay {
  return (RULE_DAYS as readonly string[]).includes(value);
}

/** A window of the callee's wall clock: from `start` (included) to `end` (excluded), 'HH:MM' (or 'HH:MM:SS'), 24 h. */
export interface CallingWindow {
  readonly start: string;
  readonly end: string;
}

/** A region's (US state's, USPS code) window on one day; `window` null: no calls that day. */
export interface RegionDayRule {
  readonly region: string;
  readonly day: RuleDay;
  readonly window: CallingWindow | null;
  readonly source: string;
}

/**
 * Where the callee may be: every IANA zone and region (USPS code) the gate must respect, and the
 * rules that said so ('number', 'multi_zone_area:850', 'lead_time_zone', 'lead_region',
 * 'country_zones'). `zoneRules` (optional) names, per zone, the rule that brought it in; a
 * refusal in a zone the number itself does not name is then reported under that rule.
 */
export interface CalleeLocation {
  readonly zones: readonly string[];
  readonly regions: readonly string[];
  readonly rules: readonly string[];
  readonly zoneRules?: Readonly<Record<string, string>>;
}

/** The widest window anyone may call in: 08:00–21:00 at the called party's location (47 CFR 64.1200(c)(1); 16 CFR 310.4(c)). */
export const FEDERAL_WINDOW: CallingWindow = { start: '08:00', end: '21:00' };
export const FEDERAL_WINDOW_SOURCE = '47 CFR 64.1200(c)(1); 16 CFR 310.4(c)';

/** How far ahead `opensAt` is looked for. */
export const OPENS_AT_HORIZON_DAYS = 8;

export interface CallingHoursInput {
  readonly location: CalleeLocation;
  /** The workspace's window and the list's, when it has one; the federal window is built in. */
  readonly windows: readonly { readonly level: 'workspace' | 'list'; readonly window: CallingWindow }[];
  /** The workspace's calling_hour_rules (all regions; the ones for the callee's regions apply). */
  readonly regionRules: readonly RegionDayRule[];
  readonly now: Date;
}

export type CallingHoursDecision =
  | {
      readonly allowed: true;
      /** Each zone's wall clock now, ISO 8601 with offset. */
      readonly localTimes: readonly { zone: string; time: string }[];
      /** ISO UTC: when the first zone's window closes. */
      readonly closesAt: string;
    }
  | {
      readonly allowed: false;
      /** What decided, e.g. 'federal', 'workspace', 'list', 'region:TX:sun', 'holiday:region:AL', 'multi_zone_area:850', 'lead_time_zone'. */
      readonly rule: string;
      /** The zone where the window is closed. */
      readonly zone: string;
      /** The wall clock there, ISO 8601 with offset. */
      readonly calleeLocalTime: string;
      /** ISO UTC: the first instant within 8 days when every zone and region is open; null if none. */
      readonly opensAt: string | null;
      readonly message: string;
      readonly localTimes: readonly { zone: string; time: string }[];
    };

/** One limit on a zone's day: which rule, its window (null: closed all day), and how a message names it. */
interface Limit {
  readonly rule: string;
  readonly window: { readonly start: number; readonly end: number } | null;
  readonly label: string | null;
}

const DAY_NAMES: Record<RuleDay, string> = {
  mon: 'Mondays',
  tue: 'Tuesdays',
  wed: 'Wednesdays',
  thu: 'Thursdays',
  fri: 'Fridays',
  sat: 'Saturdays',
  sun: 'Sundays',
  holiday: 'federal holidays',
};
const WEEKDAY_RULE_DAYS: readonly RuleDay[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Seconds since midnight of 'HH:MM' or 'HH:MM:SS' (as PostgreSQL prints a time); '24:00' is the end of the day. */
export function parseClockTime(value: string): number {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (match === null) throw new Error(`Not a clock time: ${JSON.stringify(value)}`);
  const seconds = Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3] ?? 0);
  if (seconds > 86_400 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59) throw new Error(`Not a clock time: ${JSON.stringify(value)}`);
  return seconds;
}

const pad = (value: number): string => String(value).padStart(2, '0');
const formatClock = (seconds: number): string => `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}`;

function toLimitWindow(window: CallingWindow): { start: number; end: number } {
  return { start: parseClockTime(window.start), end: parseClockTime(window.end) };
}

/** Every limit on calls in a zone on one local date, in the order a refusal names them. */
function limitsFor(input: CallingHoursInput, date: CalendarDate): Limit[] {
  const limits: Limit[] = [{ rule: 'federal', window: toLimitWindow(FEDERAL_WINDOW), label: null }];
  for (const { level, window } of input.windows) {
    limits.push({ rule: level, window: toLimitWindow(window), label: level === 'workspace' ? "the workspace's hours" : "the list's hours" });
  }
  const isHoliday = federalHolidays(date.year).includes(formatDate(date));
  const weekday = WEEKDAY_RULE_DAYS[weekdayOf(date)] ?? 'mon';
  for (const region of input.location.regions) {
    // A holiday row takes the place of the weekday's row on a federal holiday.
    const holidayRule = isHoliday ? input.regionRules.find((rule) => rule.region === region && rule.day === 'holiday') : undefined;
    const rule = holidayRule ?? input.regionRules.find((r) => r.region === region && r.day === weekday);
    if (rule === undefined) continue;
    limits.push({
      rule: rule.day === 'holiday' ? `holiday:region:${region}` : `region:${region}:${rule.day}`,
      window: rule.window === null ? null : toLimitWindow(rule.window),
      label: `${region}'s rule for ${DAY_NAMES[rule.day]}`,
    });
  }
  return limits;
}

/** The intersection of the limits: null when they leave nothing. */
function effectiveWindow(limits: readonly Limit[]): { start: number; end: number } | null {
  let start = 0;
  let end = 86_400;
  for (const limit of limits) {
    if (limit.window === null) return null;
    start = Math.max(start, limit.window.start);
    end = Math.min(end, limit.window.end);
  }
  return start < end ? { start, end } : null;
}

interface ZoneCheck {
  readonly zone: string;
  readonly date: CalendarDate;
  readonly weekday: number;
  readonly secondOfDay: number;
  readonly limits: readonly Limit[];
  /** The first limit the wall clock is outside of; undefined: open. */
  readonly closedBy: Limit | undefined;
}

function checkZone(input: CallingHoursInput, zone: string, instantMs: number): ZoneCheck {
  const parts = localParts(instantMs, zone);
  const limits = limitsFor(input, parts);
  const secondOfDay = parts.hour * 3600 + parts.minute * 60 + parts.second;
  const closedBy = limits.find((limit) => limit.window === null || secondOfDay < limit.window.start || secondOfDay >= limit.window.end);
  return { zone, date: parts, weekday: parts.weekday, secondOfDay, limits, closedBy };
}

function isOpenEverywhere(input: CallingHoursInput, instantMs: number): boolean {
  return input.location.zones.every((zone) => checkZone(input, zone, instantMs).closedBy === undefined);
}

/**
 * The first instant after `nowMs` (within {@link OPENS_AT_HORIZON_DAYS}) when every zone is open.
 * Such an instant is always the opening of some zone's window on some day (just before it, that
 * zone was closed), so only those openings are tried, earliest first.
 */
function findOpening(input: CallingHoursInput, nowMs: number): number | null {
  const horizon = nowMs + OPENS_AT_HORIZON_DAYS * 86_400_000;
  const candidates = new Set<number>();
  for (const zone of input.location.zones) {
    const today = localParts(nowMs, zone);
    for (let offset = 0; offset <= OPENS_AT_HORIZON_DAYS; offset++) {
      const date = addDays(today, offset);
      const window = effectiveWindow(limitsFor(input, date));
      if (window === null) continue;
      const opening = firstInstantAtLocal(zone, date, window.start);
      if (opening > nowMs && opening <= horizon) candidates.add(opening);
    }
  }
  for (const candidate of [...candidates].sort((a, b) => a - b)) {
    if (isOpenEverywhere(input, candidate)) return candidate;
  }
  return null;
}

function describeZone(zone: string, rule: string | undefined): string {
  if (rule === undefined || rule === 'number') return `where this number is (${zone})`;
  if (rule.startsWith('multi_zone_area:')) return `in ${zone}, one of the time zones area code ${rule.slice('multi_zone_area:'.length)} spans`;
  if (rule === 'lead_time_zone') return `in the lead's time zone (${zone})`;
  if (rule === 'country_zones') return `in ${zone}, one of the time zones a number with no fixed place is checked in`;
  return `in ${zone} (${rule})`;
}

function describeOpening(openingMs: number | null, zone: string, today: CalendarDate): string {
  if (openingMs === null) return `No window opens in the next ${OPENS_AT_HORIZON_DAYS} days.`;
  const local = localParts(openingMs, zone);
  const utc = new Date(openingMs);
  const utcClock = `${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}`;
  const localClock = `${pad(local.hour)}:${pad(local.minute)}`;
  if (formatDate(local) === formatDate(today)) return `The window opens at ${localClock} local time (${utcClock} UTC).`;
  return `The window opens on ${weekdayName(local.weekday)} ${formatDate(local)} at ${localClock} local time (${weekdayName(utc.getUTCDay())} ${utcClock} UTC).`;
}

/**
 * Whether every zone and region of the location is open at `input.now` (what
 * {@link decideCallingHours} allows, without working out why not or when it opens).
 */
export function isWithinCallingHours(input: CallingHoursInput): boolean {
  if (input.location.zones.length === 0) throw new Error('A callee location needs at least one time zone');
  return isOpenEverywhere(input, input.now.getTime());
}

/**
 * Whether a call may be placed now, in the callee's local time. The window is the intersection
 * of the federal 08:00–21:00 (47 CFR 64.1200(c)(1)), the workspace's and the list's windows, and
 * each of the callee's regions' rules for the local day (a 'holiday' row on a federal holiday,
 * else the weekday's row; a null window: no calls that day), checked in every zone the callee
 * may be in. A refusal names the rule that decided and the zone, says the local time there and
 * when every zone is next open. Throws (a bug) when the location has no zone or a zone or time
 * is malformed.
 */
export function decideCallingHours(input: CallingHoursInput): CallingHoursDecision {
  const { zones, zoneRules } = input.location;
  if (zones.length === 0) throw new Error('A callee location needs at least one time zone');
  const nowMs = input.now.getTime();
  const localTimes = zones.map((zone) => ({ zone, time: formatLocalIso(nowMs, zone) }));
  const checks = zones.map((zone) => checkZone(input, zone, nowMs));
  const closed = checks.filter((check) => check.closedBy !== undefined);
  // The number's own zone is named first; a zone only another source adds is named by that source.
  const refusal = closed.find((check) => (zoneRules?.[check.zone] ?? 'number') === 'number') ?? closed[0];
  if (refusal === undefined || refusal.closedBy === undefined) {
    const closesAt = Math.min(
      ...checks.map((check) => {
        const window = effectiveWindow(check.limits);
        return window === null ? nowMs : firstInstantAtLocal(check.zone, check.date, window.end);
      }),
    );
    return { allowed: true, localTimes, closesAt: new Date(closesAt).toISOString() };
  }
  const zoneRule = zoneRules?.[refusal.zone];
  const rule = zoneRule === undefined || zoneRule === 'number' ? refusal.closedBy.rule : zoneRule;
  const opening = findOpening(input, nowMs);
  const window = effectiveWindow(refusal.limits);
  const deciding = refusal.closedBy.label === null ? '' : ` (${refusal.closedBy.label})`;
  const allowedThere =
    window === null
      ? `no calls are allowed there today${deciding}`
      : `calls are allowed ${formatClock(window.start)}–${formatClock(window.end)} there${deciding}`;
  const message =
    `It is ${formatClock(refusal.secondOfDay)} (${weekdayName(refusal.weekday)}) ${describeZone(refusal.zone, zoneRule)}: ` +
    `${allowedThere}. ${describeOpening(opening, refusal.zone, refusal.date)}`;
  return {
    allowed: false,
    rule,
    zone: refusal.zone,
    calleeLocalTime: formatLocalIso(nowMs, refusal.zone),
    opensAt: opening === null ? null : new Date(opening).toISOString(),
    message,
    localTimes,
  };
}

/**
 * The latest local midnight across `zones` at `now`: the start of the callee's current day in the
 * zone whose day began last, so a per-day attempt cap counts only calls made on a day that has
 * begun everywhere the callee may be (the stricter reading would start counting earlier; this
 * one never counts a call made on the callee's previous day in any of their zones).
 * Throws (a bug) when `zones` is empty.
 */
export function localDayStart(now: Date, zones: readonly string[]): Date {
  if (zones.length === 0) throw new Error('localDayStart needs at least one time zone');
  const nowMs = now.getTime();
  return new Date(Math.max(...zones.map((zone) => firstInstantAtLocal(zone, localParts(nowMs, zone), 0))));
}

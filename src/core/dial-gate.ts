import { localDayStart, type CalleeLocation, type CallingHoursDecision } from './calling-hours.js';

/**
 * The one dial gate's decision (CG1), as a pure function of the facts the database gathered
 * under the gate's lock (src/db/dial-gate.ts). Checks run in a fixed order and the first refusal
 * wins: do-not-call, then calling hours, then attempt caps. Every fact is kept either way: a
 * refusal records them in `compliance_events`, an allowed call on its `active_calls` row.
 */

/** What a refused dial answers, in the order the gate checks them. */
export const DIAL_REFUSAL_CODES = ['do_not_call', 'outside_calling_hours', 'attempt_limit_reached'] as const;
export type DialRefusalCode = (typeof DIAL_REFUSAL_CODES)[number];

/** The caps, each counted per number and per lead (null: no cap). */
export const ATTEMPT_CAP_KINDS = ['lifetime', 'per_day', 'per_24h'] as const;
export type AttemptCapKind = (typeof ATTEMPT_CAP_KINDS)[number];

/** Caps as a workspace or a list sets them (null: none at that level). */
export interface AttemptCaps {
  readonly lifetime: number | null;
  readonly perDay: number | null;
  readonly per24h: number | null;
}

/** A cap in force and the level that set it. */
export interface CapInForce {
  readonly limit: number;
  readonly level: 'workspace' | 'list';
}
export type EffectiveCaps = Readonly<Record<AttemptCapKind, CapInForce | null>>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The stricter of the workspace's and the list's caps, each kind on its own (a tie names the workspace). */
export function effectiveCaps(workspace: AttemptCaps, list: AttemptCaps | null): EffectiveCaps {
  const pick = (own: number | null, listed: number | null): CapInForce | null => {
    if (own === null && listed === null) return null;
    if (listed === null || (own !== null && own <= listed)) return { limit: own as number, level: 'workspace' };
    return { limit: listed, level: 'list' };
  };
  return {
    lifetime: pick(workspace.lifetime, list?.lifetime ?? null),
    per_day: pick(workspace.perDay, list?.perDay ?? null),
    per_24h: pick(workspace.per24h, list?.per24h ?? null),
  };
}

/** Attempts to one number (or one lead): rows of `call_logs` and live `active_calls` of the workspace. */
export interface AttemptHistory {
  readonly lifetime: number;
  /** Since the callee's local day started (`dayStart`). */
  readonly perDay: number;
  /** When each attempt of the last 24 hours started, on the gate's clock (ISO 8601), oldest first. */
  readonly last24h: readonly string[];
}

export interface DoNotCallFacts {
  /** The workspace's list entry for the number. */
  readonly listed: { readonly addedBy: string; readonly addedAt: string; readonly source: string } | null;
  /**
   * A lead of the workspace with this number whose status is `do_not_call`. Its name only when the
   * dialer may see the lead (their own, or an admin's or manager's dial): a rep sees only their
   * own leads (AU1), and the refusal and its facts are theirs to read.
   */
  readonly lead: { readonly id: string; readonly name: string | null } | null;
}

/** Everything the gate decides on. Instants are ISO 8601 on the gate's clock. */
export interface DialFacts {
  readonly now: string;
  readonly phoneNumber: string;
  readonly doNotCall: DoNotCallFacts;
  readonly location: CalleeLocation;
  readonly hours: CallingHoursDecision;
  readonly caps: EffectiveCaps;
  readonly attempts: { readonly number: AttemptHistory; readonly lead: AttemptHistory | null };
  /** The callee's local day for the per-day cap: its latest start, and the next. */
  readonly dayStart: string;
  readonly nextDayStart: string;
}

export type DialDecision =
  | { readonly allowed: true; readonly rule: string }
  | {
      readonly allowed: false;
      readonly code: DialRefusalCode;
      /** Which rule decided, e.g. `dnc:list`, `region:TX:sun`, `cap:number:per_24h:workspace`. */
      readonly rule: string;
      readonly message: string;
      /** The callee's local time (ISO 8601 with offset), in the zone that refused when hours did. */
      readonly calleeLocalTime: string | null;
      /** outside_calling_hours: when every zone is open again (null: not within 8 days). */
      readonly opensAt?: string | null;
      /** attempt_limit_reached: when the next attempt is allowed (null: a lifetime cap, never). */
      readonly nextAttemptAt?: string | null;
    };

/**
 * The callee's next local midnight: the earliest next midnight across their zones, which is when
 * `localDayStart` (the latest local midnight across zones) moves on and the per-day count starts
 * again. A DST day is 23 or 25 hours long, so a day ahead may still be today: then 26 hours ahead.
 */
export function nextLocalDayStart(now: Date, zones: readonly string[]): Date {
  let earliest = Infinity;
  for (const zone of zones.length > 0 ? zones : ['UTC']) {
    let next = localDayStart(new Date(now.getTime() + DAY_MS), [zone]);
    if (next.getTime() <= now.getTime()) next = localDayStart(new Date(now.getTime() + DAY_MS + 2 * HOUR_MS), [zone]);
    earliest = Math.min(earliest, next.getTime());
  }
  return new Date(earliest);
}

/** `2026-12-08 16:05 UTC`: how a message names an instant (the UI shows it in the viewer's zone). */
function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const times = (n: number) => (n === 1 ? '1 time' : `${n} times`);

interface CapBreach {
  readonly rule: string;
  readonly message: string;
  readonly nextAttemptAt: string | null;
}

/** The caps one number or one lead has reached, each with when it allows the next attempt. */
function capBreaches(facts: DialFacts, who: 'number' | 'lead', history: AttemptHistory): CapBreach[] {
  const subject = who === 'number' ? 'This number' : 'This lead';
  const breaches: CapBreach[] = [];
  const { lifetime, per_day: perDay, per_24h: per24h } = facts.caps;
  const allows = (cap: CapInForce, span: string) => `the ${cap.level === 'list' ? "lead's list" : 'workspace'} allows ${cap.limit}${span}`;
  if (lifetime && history.lifetime >= lifetime.limit) {
    breaches.push({
      rule: `cap:${who}:lifetime:${lifetime.level}`,
      message: `${subject} has been called ${times(history.lifetime)} and ${allows(lifetime, ' in all')}: no further attempt is allowed.`,
      nextAttemptAt: null,
    });
  }
  if (perDay && history.perDay >= perDay.limit) {
    breaches.push({
      rule: `cap:${who}:per_day:${perDay.level}`,
      message: `${subject} has been called ${times(history.perDay)} today (the callee's local day) and ${allows(perDay, ' a day')}. The next attempt is allowed from ${formatUtc(facts.nextDayStart)}.`,
      nextAttemptAt: facts.nextDayStart,
    });
  }
  if (per24h && history.last24h.length >= per24h.limit) {
    // The attempt that must leave the window before one more fits (the oldest, when the count is at the cap).
    const leaving = history.last24h[history.last24h.length - per24h.limit] ?? facts.now;
    const next = new Date(new Date(leaving).getTime() + DAY_MS).toISOString();
    breaches.push({
      rule: `cap:${who}:per_24h:${per24h.level}`,
      message: `${subject} has been called ${times(history.last24h.length)} in the last 24 hours and ${allows(per24h, ' in 24 hours')}. The next attempt is allowed at ${formatUtc(next)}.`,
      nextAttemptAt: next,
    });
  }
  return breaches;
}

/** The gate's decision: the first refusal in the order do-not-call, calling hours, attempt caps. */
export function decideDial(facts: DialFacts): DialDecision {
  const firstLocalTime = facts.hours.localTimes[0]?.time ?? null;
  const { listed, lead } = facts.doNotCall;
  if (listed || lead) {
    return {
      allowed: false,
      code: 'do_not_call',
      rule: listed ? 'dnc:list' : 'dnc:lead_status',
      message: listed
        ? `${facts.phoneNumber} is on your workspace's do-not-call list.`
        : lead?.name
          ? `The lead ${lead.name} with this number asked not to be called.`
          : "A lead of your workspace (another rep's) with this number asked not to be called.",
      calleeLocalTime: firstLocalTime,
    };
  }
  if (!facts.hours.allowed) {
    return {
      allowed: false,
      code: 'outside_calling_hours',
      rule: facts.hours.rule,
      message: facts.hours.message,
      calleeLocalTime: facts.hours.calleeLocalTime,
      opensAt: facts.hours.opensAt,
    };
  }
  const breaches = [
    ...capBreaches(facts, 'number', facts.attempts.number),
    ...(facts.attempts.lead ? capBreaches(facts, 'lead', facts.attempts.lead) : []),
  ];
  if (breaches.length > 0) {
    // A lifetime cap never lets another attempt through; otherwise the latest of the times is when every cap allows one.
    const decisive = breaches.find((breach) => breach.nextAttemptAt === null) ??
      breaches.reduce((latest, breach) => ((breach.nextAttemptAt ?? '') > (latest.nextAttemptAt ?? '') ? breach : latest));
    return {
      allowed: false,
      code: 'attempt_limit_reached',
      rule: decisive.rule,
      message: decisive.message,
      calleeLocalTime: firstLocalTime,
      nextAttemptAt: decisive.nextAttemptAt,
    };
  }
  return { allowed: true, rule: 'allowed' };
}

const countsOf = (history: AttemptHistory) => ({ lifetime: history.lifetime, perDay: history.perDay, per24h: history.last24h.length });

/**
 * The facts as kept with the decision (`active_calls.compliance`, `compliance_events.details`):
 * where the callee is and their local time, the rule that decided, attempts and caps, do-not-call.
 */
export function describeDialFacts(facts: DialFacts, decision: DialDecision, clock: { readonly demoOffsetSeconds: number | null }): Record<string, unknown> {
  return {
    now: facts.now,
    ...(clock.demoOffsetSeconds === null ? {} : { demoClockOffsetSeconds: clock.demoOffsetSeconds }),
    zones: facts.location.zones,
    regions: facts.location.regions,
    locatedBy: facts.location.rules,
    localTimes: facts.hours.localTimes,
    calleeLocalTime: decision.allowed ? (facts.hours.localTimes[0]?.time ?? null) : decision.calleeLocalTime,
    rule: decision.rule,
    ...(facts.hours.allowed ? { closesAt: facts.hours.closesAt } : { hoursRule: facts.hours.rule, opensAt: facts.hours.opensAt }),
    attempts: { number: countsOf(facts.attempts.number), lead: facts.attempts.lead ? countsOf(facts.attempts.lead) : null },
    caps: facts.caps,
    dayStart: facts.dayStart,
    doNotCall: facts.doNotCall,
    ...(decision.allowed ? {} : { code: decision.code, ...(decision.nextAttemptAt === undefined ? {} : { nextAttemptAt: decision.nextAttemptAt }) }),
  };
}

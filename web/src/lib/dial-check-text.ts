import type { DialCheck } from './compliance-api.js';

/** 'America/Chicago' → 'Chicago', 'America/Indiana/Indianapolis' → 'Indianapolis'. */
export const cityOf = (zone: string) => (zone.split('/').at(-1) ?? zone).replace(/_/g, ' ');

/** The wall-clock time an ISO 8601 timestamp with an offset names ('2026-12-07T10:14:00-06:00' → '10:14'). */
export const clockOf = (iso: string) => /T(\d\d:\d\d)/.exec(iso)?.[1] ?? iso;

/** A wait as people say it: 'in 10 h 46 min', 'in 5 min', 'in 24 h', 'in 2 d 3 h', 'now'. */
export function formatWait(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes <= 0) return 'now';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  // Days only from two on: "in 24 h" says a rolling day's wait better than "in 1 d".
  if (days > 1) return `in ${days} d${hours > 0 ? ` ${hours} h` : ''}`;
  const allHours = Math.floor(minutes / 60);
  if (allHours > 0) return `in ${allHours} h${rest > 0 ? ` ${rest} min` : ''}`;
  return `in ${rest} min`;
}

/**
 * The instant the gate judged at: its "now" (in demo mode the simulated clock), as it answered
 * (or read from the callee's local time), so waits are counted on the gate's clock, not the browser's.
 */
export function gateNow(check: DialCheck, fallback: number): number {
  const at = Date.parse(check.now ?? check.calleeLocalTime ?? check.localTimes[0]?.time ?? '');
  return Number.isNaN(at) ? fallback : at;
}

export interface DialCheckText {
  readonly tone: 'good' | 'bad';
  readonly title: string;
  readonly detail: string;
}

/** What the dialer says beside Call about the server's answer, in one line. */
export function describeDialCheck(check: DialCheck, now: number): DialCheckText {
  if (check.allowed) {
    const places = check.localTimes.map(({ zone, time }) => `${clockOf(time)} in ${cityOf(zone)}`).join(', ');
    return { tone: 'good', title: 'Can call now', detail: places };
  }
  const message = check.message ?? 'The server would refuse this call.';
  const at = gateNow(check, now);
  switch (check.code ?? '') {
    case 'do_not_call':
      return { tone: 'bad', title: 'On the do-not-call list', detail: message };
    case 'outside_calling_hours': {
      const opens = check.opensAt ? Date.parse(check.opensAt) : Number.NaN;
      return { tone: 'bad', title: 'Not now', detail: Number.isNaN(opens) ? message : `${message} Opens ${formatWait(opens - at)}.` };
    }
    case 'attempt_limit_reached': {
      const next = check.nextAttemptAt ? Date.parse(check.nextAttemptAt) : Number.NaN;
      // The server's message says when (in UTC); this adds the wait, on the gate's clock.
      const when = Number.isNaN(next) ? 'No further attempt is allowed.' : `Next attempt ${formatWait(next - at)}.`;
      return { tone: 'bad', title: 'Attempt limit reached', detail: `${message} ${when}` };
    }
    default:
      return { tone: 'bad', title: 'Would be refused', detail: message };
  }
}

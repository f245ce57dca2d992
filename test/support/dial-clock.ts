import { federalHolidays } from '../../src/core/calling-hours.js';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';

/**
 * The dial gate's clock in test servers. Calls are refused outside 08:00–21:00 at the callee's
 * location (and on some states' Sundays and holidays), so a suite that dials must not depend on
 * when it runs: by default the clock runs from the next Wednesday, 13:00 in Chicago, that is no
 * federal holiday (14:00 New York, 11:00 San Francisco, 08:00 or 09:00 Honolulu, 20:00 Berlin:
 * inside every window the tests' numbers meet). Tests of the gate pin it where they need it.
 */
export interface TestDialClock {
  now(): number;
  /** Pins the clock at `at` (it stays there) until `reset`. */
  pin(at: Date): void;
  /** Back to the running default. */
  reset(): void;
}

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' and the weekday of an instant in a zone. */
function localDate(ms: number, zone: string): { date: string; weekday: string; hour: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .map((part) => [part.type, part.value]),
  );
  return { date: `${parts['year']}-${parts['month']}-${parts['day']}`, weekday: parts['weekday'] ?? '', hour: Number(parts['hour']) };
}

/** The next Wednesday 13:00 America/Chicago after `fromMs` that is not a US federal holiday. */
export function nextPermissiveInstant(fromMs: number): number {
  for (let day = 1; day < 60; day++) {
    // 19:00 UTC is 13:00 in Chicago in winter (CST), 18:00 UTC in summer (CDT).
    const base = new Date(fromMs + day * DAY_MS);
    for (const utcHour of [18, 19]) {
      const candidate = Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate(), utcHour);
      const local = localDate(candidate, 'America/Chicago');
      if (local.weekday !== 'Wed' || local.hour !== 13) continue;
      if (federalHolidays(Number(local.date.slice(0, 4))).includes(local.date)) continue;
      return candidate;
    }
  }
  throw new Error('no permissive instant within 60 days');
}

export function createTestDialClock(): TestDialClock {
  const offsetMs = nextPermissiveInstant(Date.now()) - Date.now();
  let pinned: number | undefined;
  return {
    now: () => pinned ?? Date.now() + offsetMs,
    pin(at) {
      pinned = at.getTime();
    },
    reset() {
      pinned = undefined;
    },
  };
}

/**
 * For a server run as its own process, whose gate has the real clock: migrates the storage and
 * makes every new user's demo clock (`demo_clock_offset_seconds`) start at the same weekday
 * midday, so the process's demo calls do not depend on when the suite runs. Real calls keep the
 * real clock there (the product has no other), so a process test that places Twilio calls to a
 * US number is refused at night in the US.
 */
export async function startDemoCallsAtMidday(db: Database): Promise<void> {
  await migrate(db);
  const offsetSeconds = Math.round((nextPermissiveInstant(Date.now()) - Date.now()) / 1000);
  await db.query(`alter table dialer_settings alter column demo_clock_offset_seconds set default ${offsetSeconds}`);
}

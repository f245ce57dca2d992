import type { Locator, Page } from 'playwright-core';
import { goTo } from './dialer-page.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Fixed-date US federal holidays (5 U.S.C. 6103) that can fall on a Wednesday (observed dates move only from weekends). */
const FIXED_HOLIDAYS = ['01-01', '06-19', '07-04', '11-11', '12-25'];

/**
 * The next Wednesday (never a federal holiday) at `hour:minute` UTC, more than a day from now: a
 * weekday with no state's Sunday or holiday rule, so the simulated clock shows one rule at a time.
 * 19:00 UTC is 11:00 in California, 14:00 in New York and 19:00 in London; 06:30 UTC is the
 * evening before in California (22:30 PST, 23:30 PDT).
 */
export function nextWednesdayUtc(hour: number, minute = 0, now = Date.now()): number {
  let at = new Date(now + DAY);
  at = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), hour, minute));
  while (at.getUTCDay() !== 3 || FIXED_HOLIDAYS.includes(at.toISOString().slice(5, 10))) at = new Date(at.getTime() + DAY);
  return at.getTime();
}

/**
 * Sets demo mode's simulated clock (Settings → Simulated clock) so the dial gate sees `at`; the
 * field is in the browser's time zone, so the page itself writes the instant as its local time.
 */
export async function setSimulatedClock(page: Page, at: number): Promise<void> {
  await goTo(page, 'Settings');
  const clock = page.getByTestId('simulated-clock');
  const local = await page.evaluate((ms) => {
    const date = new Date(ms);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }, at);
  await clock.getByLabel('Simulated date and time').fill(local);
  await clock.getByRole('button', { name: 'Set clock' }).click();
  await clock.getByText('Simulated clock set.').waitFor();
}

/** Opens one tab of the Compliance screen. */
export async function openComplianceTab(page: Page, tab: 'Log' | 'Do-not-call list' | 'Calling hours' | 'Rules'): Promise<void> {
  await goTo(page, 'Compliance');
  await page.getByRole('tab', { name: tab, exact: true }).click();
}

/** What the dialer says beside Call, once the server has answered for the number shown (not "checking"). */
export async function waitForDialCheck(scope: Page | Locator, state: 'allowed' | 'refused', code = ''): Promise<Locator> {
  const check = scope.locator(`[data-testid="dial-check"][data-state="${state}"]${code ? `[data-code="${code}"]` : ''}`);
  await check.waitFor();
  return check;
}

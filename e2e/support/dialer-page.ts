import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { MockOutcome } from '../../src/core/mock-timeline.js';
import { SCREENSHOT_DIR } from './chromium.js';

export interface TestUser {
  readonly email: string;
  readonly password: string;
}

let userCounter = 0;

/** A user of its own for each test (STYLE 18). */
export function newUser(prefix: string): TestUser {
  return { email: `${prefix}-${Date.now().toString(36)}-${++userCounter}@example.com`, password: 'long-enough-password' };
}

export interface TrackedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  readonly errors: string[];
}

/** A new page whose console errors and uncaught exceptions are collected for the test to check. */
export async function openPage(context: BrowserContext): Promise<TrackedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`exception: ${error.message}`));
  return { page, errors };
}

/** The errors a page logged, less those the test expects (a refused request it provoked). */
export function unexpectedErrors(tracked: TrackedPage, allowed: readonly RegExp[] = []): string[] {
  return tracked.errors.filter((error) => !allowed.some((pattern) => pattern.test(error)));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  // From the top, so the sticky header sits where a person sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export async function signUp(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(baseUrl);
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('user-email').filter({ hasText: user.email }).waitFor({ state: 'attached' });
}

export async function signIn(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-email').filter({ hasText: user.email }).waitFor({ state: 'attached' });
}

export type Screen = 'Dial' | 'Leads' | 'History' | 'Stats' | 'Settings' | 'Floor' | 'Compliance';

export async function goTo(page: Page, screen: Screen): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen, exact: true }).click();
}

export interface DemoTimings {
  readonly outcome: MockOutcome;
  readonly dialSeconds?: number;
  readonly ringSeconds?: number;
  readonly talkSeconds?: number;
  /**
   * What the dial gate's clock reads for demo calls (the simulated clock, an instant in ms), or
   * `'real'` for the real clock. Default: a Wednesday at 19:00 UTC (nextWednesdayUtc), when
   * every number the specs dial, in the US or the UK, is inside its calling hours, so a spec
   * passes at any time of day.
   */
  readonly gateClock?: number | 'real';
}

const DAY = 24 * 3_600_000;

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
  await clock.getByLabel('Simulated date and time', { exact: false }).fill(local);
  await clock.getByRole('button', { name: 'Set clock' }).click();
  await clock.getByText('Simulated clock set.').waitFor();
}

const OUTCOME_LABELS: Readonly<Record<MockOutcome, string>> = {
  completed: 'Completed',
  'no-answer': 'No answer',
  busy: 'Busy',
  failed: 'Failed',
  canceled: 'Canceled',
  voicemail_detected: 'Voicemail',
};

/** Sets short, certain simulated calls through the Settings screen, as a rep would. */
export async function setDemoTimings(page: Page, timings: DemoTimings): Promise<void> {
  await goTo(page, 'Settings');
  const demo = page.getByRole('switch', { name: /Demo mode/ });
  if (!(await demo.isChecked())) await demo.check();
  await page.getByLabel('Dialing', { exact: true }).fill(String(timings.dialSeconds ?? 1));
  await page.getByLabel('Ringing, shortest').fill(String(timings.ringSeconds ?? 1));
  await page.getByLabel('Ringing, longest').fill(String(timings.ringSeconds ?? 1));
  await page.getByLabel('Talk, shortest').fill(String(timings.talkSeconds ?? 3));
  await page.getByLabel('Talk, longest').fill(String(timings.talkSeconds ?? 3));
  for (const [outcome, label] of Object.entries(OUTCOME_LABELS)) {
    await page.getByLabel(label, { exact: true }).fill(outcome === timings.outcome ? '1' : '0');
  }
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
  if (timings.gateClock !== 'real') await setSimulatedClock(page, timings.gateClock ?? nextWednesdayUtc(19));
}

/**
 * Records every call status the element with `testId` shows, in order, as the page renders
 * them (a MutationObserver in the page), so a quick status is not missed between polls.
 */
export async function recordStatuses(page: Page, testId: string): Promise<() => Promise<string[]>> {
  const key = `__statuses_${testId.replace(/\W/g, '_')}`;
  await page.evaluate(
    ({ key, testId }) => {
      const seen: string[] = [];
      (window as unknown as Record<string, string[]>)[key] = seen;
      const read = () => {
        for (const element of document.querySelectorAll(`[data-testid="${testId}"] [data-call-status]`)) {
          const status = element.getAttribute('data-call-status');
          if (status && seen.at(-1) !== status) seen.push(status);
        }
      };
      read();
      new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-call-status'] });
    },
    { key, testId },
  );
  return () => page.evaluate((key) => [...((window as unknown as Record<string, string[]>)[key] ?? [])], key);
}

/** Waits until `locator` shows the call status `status` (its data-call-status attribute). */
export async function waitForStatus(container: Locator, status: string, timeout = 30_000): Promise<void> {
  await container.locator(`[data-call-status="${status}"]`).waitFor({ timeout });
}

import type { Locator, Page } from 'playwright-core';
import { goTo } from './dialer-page.js';

export { nextWednesdayUtc, setSimulatedClock } from './dialer-page.js';

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

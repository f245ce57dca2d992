import { describe, expect, inject, it } from 'vitest';
import { useTrackedPage } from './support/use-tracked-page.js';
import { goTo, newUser, nextWednesdayUtc, openPage, recordStatuses, screenshot, setDemoTimings, setSimulatedClock, signIn, signUp, unexpectedErrors, waitForStatus } from './support/dialer-page.js';

describe('PhoneDialer in Chromium', () => {
  const baseUrl = inject('serverUrl');
  const pages = useTrackedPage();


  it('signs up, dials on the keypad in demo mode, follows dialing → ringing → connected with a timer → completed, then finds the call in History', async () => {
    const { page } = pages.current;
    const user = newUser('keypad');
    await page.goto(baseUrl);
    await screenshot(page, '01-sign-in');
    await signUp(page, baseUrl, user);
    await expect(page.getByTestId('mode-pill').textContent()).resolves.toBe('Demo mode');
    await setDemoTimings(page, { outcome: 'completed', dialSeconds: 1, ringSeconds: 1.5, talkSeconds: 3 });
    await screenshot(page, '02-settings');

    await goTo(page, 'Dial');
    for (const key of '4155550142') await page.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: key, exact: true }).click();
    await expect(page.getByLabel('Phone number').inputValue()).resolves.toBe('4155550142');
    await expect(page.getByTestId('number-hint').textContent()).resolves.toBe('+14155550142 · United States');

    const statuses = await recordStatuses(page, 'dialer-status');
    const dialer = page.getByTestId('dialer-status');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await waitForStatus(dialer, 'in-progress');
    // The timer runs: it moves past 0:00 while connected.
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="dialer-status"] [data-testid="call-timer"]')?.textContent ?? '';
      return /^\d+:\d\d$/.test(text) && text !== '0:00';
    });
    await expect(page.getByTestId('line-1').getAttribute('aria-label')).resolves.toBe('Line 1: Connected');
    await screenshot(page, '03-dialer-connected');
    await waitForStatus(dialer, 'completed');
    await expect(dialer.textContent()).resolves.toContain('The call ended normally.');
    await screenshot(page, '04-dialer-completed');
    expect(await statuses()).toEqual(['dialing', 'ringing', 'in-progress', 'completed']);
    // Back to idle after showing the outcome.
    await dialer.getByText('Idle: no call on line 1.').waitFor({ timeout: 15_000 });

    await goTo(page, 'History');
    const row = page.getByTestId('history-row').first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/\+14155550142.*Line 1.*simulated.*Completed.*0:0[2-4]/);
    await screenshot(page, '05-history');

    await goTo(page, 'Stats');
    await page.getByTestId('stats-tiles').getByText('100%').waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    await screenshot(page, '06-stats');
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });

  it('takes typed and pasted digits, shows E.164 and the country as you type, calls and hangs up by keyboard, signs out and in', async () => {
    const { page } = pages.current;
    const user = newUser('typing');
    await signUp(page, baseUrl, user);
    // The dial gate sees a weekday midday, so the call below is inside calling hours at any time of day.
    await setSimulatedClock(page, nextWednesdayUtc(19));
    await goTo(page, 'Dial');
    // Digits typed while no field has focus go into the number.
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.type('+4420');
    await expect(page.getByLabel('Phone number').inputValue()).resolves.toBe('+4420');
    await expect(page.getByRole('button', { name: 'Call', exact: true }).isDisabled()).resolves.toBe(true);
    await page.keyboard.type('79460958');
    await expect(page.getByTestId('number-hint').textContent()).resolves.toBe('+442079460958 · United Kingdom');
    await page.keyboard.press('Backspace');
    await expect(page.getByLabel('Phone number').inputValue()).resolves.toBe('+44207946095');

    // Pasting a tel: link keeps only the number.
    const field = page.getByLabel('Phone number');
    await field.fill('');
    await field.focus();
    await field.evaluate((input) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'tel:+1 (212) 555-0187');
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await expect(field.inputValue()).resolves.toBe('+1 212 555 0187');
    await expect(page.getByTestId('number-hint').textContent()).resolves.toBe('+12125550187 · United States');
    await expect(page.getByRole('button', { name: 'Call', exact: true }).isEnabled()).resolves.toBe(true);

    // Keyboard only: Enter in the field calls; Enter on Hang up ends the call before the answer.
    await field.press('Enter');
    const dialer = page.getByTestId('dialer-status');
    await dialer.locator('[data-call-status]').waitFor();
    const hangUp = page.getByRole('button', { name: 'Hang up', exact: true });
    await hangUp.focus();
    await page.keyboard.press('Enter');
    await waitForStatus(dialer, 'canceled');
    await expect(dialer.textContent()).resolves.toContain('The call was hung up before anyone answered.');

    // Signing out returns to the sign-in screen; a wrong password is refused in plain words.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That email and password do not match an account' }).waitFor();
    await screenshot(page, '07-sign-in-error');
    await signIn(page, baseUrl, user);
    expect(unexpectedErrors(pages.current, [/status of 400/])).toEqual([]);
  });
  it('dials two lines from the keypad at once in one window; a call placed from a second window shows on its own line card and never takes over the selected line', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('lines'));
    await setDemoTimings(page, { outcome: 'completed', dialSeconds: 1, ringSeconds: 1, talkSeconds: 25 });
    await goTo(page, 'Dial');
    const keypad = page.getByRole('group', { name: 'Keypad' });
    const press = async (digits: string) => {
      for (const key of digits) await keypad.getByRole('button', { name: key, exact: true }).click();
    };
    const dialer = page.getByTestId('dialer-status');
    const liveCard = (line: number) => page.locator(`[data-testid="line-${line}"].line-card--live`);

    await page.getByRole('radio', { name: 'Line 1', exact: true }).check();
    await press('4155550101');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await liveCard(1).waitFor();
    // Line 1 is live: line 2 is free to pick, with a number field of its own.
    await page.getByRole('radio', { name: 'Line 2', exact: true }).check();
    await expect(page.getByLabel('Phone number').inputValue()).resolves.toBe('');
    await press('4155550102');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await liveCard(2).waitFor();
    await expect(liveCard(1).textContent()).resolves.toContain('+14155550101');
    await expect(liveCard(2).textContent()).resolves.toContain('+14155550102');
    await dialer.getByText('+14155550102 · Line 2').waitFor();
    await screenshot(page, '08-two-lines-live');

    // Going back to line 1 shows its own number and call, with its own Hang up.
    await page.getByRole('radio', { name: 'Line 1 (busy)', exact: true }).check();
    await expect(page.getByLabel('Phone number').inputValue()).resolves.toBe('4155550101');
    await dialer.getByText('+14155550101 · Line 1').waitFor();
    await page.getByRole('radio', { name: 'Line 2 (busy)', exact: true }).check();
    await dialer.getByText('+14155550102 · Line 2').waitFor();

    // A second window of the same user starts on the free line and calls from there.
    const second = await openPage(page.context());
    await second.page.goto(baseUrl);
    await second.page.getByRole('radio', { name: 'Line 3', exact: true }).and(second.page.locator(':checked')).waitFor();
    await second.page.getByLabel('Phone number').fill('+1 415 555 0103');
    await second.page.getByRole('button', { name: 'Call', exact: true }).click();
    await second.page.locator('[data-testid="line-3"].line-card--live').waitFor();

    // This window shows it on line 3's card; its own selection and status stay on line 2.
    await liveCard(3).waitFor();
    await expect(liveCard(3).textContent()).resolves.toContain('+14155550103');
    await expect(dialer.getAttribute('data-line')).resolves.toBe('2');
    await dialer.getByText('+14155550102 · Line 2').waitFor();
    await expect(page.getByRole('radio', { name: 'Line 2 (busy)', exact: true }).isChecked()).resolves.toBe(true);

    // This window's Hang up ends its own line's call only.
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await page.locator('[data-testid="line-2"]:not(.line-card--live)').waitFor();
    await expect(dialer.locator('[data-call-status]').getAttribute('data-call-status')).resolves.toMatch(/^(completed|canceled)$/);
    expect(await liveCard(1).count()).toBe(1);
    expect(await liveCard(3).count()).toBe(1);
    await screenshot(page, '09-line-3-from-another-window');
    // Every line hung up, so the next test's user starts clean.
    for (const line of [1, 3]) await page.getByRole('button', { name: `Hang up line ${line}` }).click();
    await page.locator('.line-card--live').first().waitFor({ state: 'detached' });
    expect(unexpectedErrors(pages.current)).toEqual([]);
    expect(unexpectedErrors(second)).toEqual([]);
  });
});

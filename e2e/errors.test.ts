import { beforeEach, describe, expect, inject, it } from 'vitest';
import { useTrackedPage } from './support/use-tracked-page.js';
import { goTo, newUser, screenshot, setDemoTimings, signUp, unexpectedErrors, waitForStatus } from './support/dialer-page.js';

/** Functions the app calls to read (settings, who the member is, whether a number may be called now); the tests count the others. */
const READS = ['dialerSettings', 'getWorkspace', 'checkDial'];

describe('Errors a rep meets, in Chromium', () => {
  const baseUrl = inject('serverUrl');
  const pages = useTrackedPage();
  let functionCalls: string[];

  beforeEach(() => {
    functionCalls = [];
    pages.current.page.on('request', (request) => {
      const name = /\/functions\/v1\/(\w+)/.exec(request.url())?.[1];
      if (name && request.method() === 'POST') functionCalls.push(name);
    });
  });

  it('TW1 in production mode without Twilio, calling says so and "Use demo mode" lets the rep call at once', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('no-twilio'));
    await setDemoTimings(page, { outcome: 'completed', dialSeconds: 1, ringSeconds: 1, talkSeconds: 2 });
    await page.getByRole('switch', { name: /Demo mode/ }).uncheck();
    await page.getByText('This server has no Twilio credentials').waitFor();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.getByTestId('mode-pill').filter({ hasText: 'Real calls' }).waitFor();

    await goTo(page, 'Dial');
    await page.getByLabel('Phone number').fill('+14155550150');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const error = page.getByTestId('call-error');
    await error.getByText('This call was not placed', { exact: true }).waitFor();
    await error.getByText('Real calls are not set up on this server', { exact: false }).waitFor();
    await expect(error.getAttribute('data-code')).resolves.toBe('twilio_not_configured');
    await expect(error.textContent()).resolves.toContain('Turn on demo mode to place simulated calls now.');
    await expect(page.getByTestId('dialer-status').textContent()).resolves.toContain('Idle');
    await screenshot(page, '30-twilio-not-configured');

    await error.getByRole('button', { name: 'Use demo mode' }).click();
    await page.getByText('Demo mode is on: calls are simulated. Press Call to dial.').waitFor();
    await page.getByTestId('mode-pill').filter({ hasText: 'Demo mode' }).waitFor();
    await expect(error.count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await waitForStatus(page.getByTestId('dialer-status'), 'completed');
    expect(functionCalls.filter((name) => !READS.includes(name))).toEqual(['twilioInitiateCall', 'mockDialerCall']);
    expect(unexpectedErrors(pages.current, [/status of 503/])).toEqual([]);
  });

  it('IN2 an invalid number cannot be dialled: Call stays disabled with the reason, and no function is called', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('invalid'));
    const field = page.getByLabel('Phone number');
    const call = page.getByRole('button', { name: 'Call', exact: true });
    await expect(call.isDisabled()).resolves.toBe(true);
    await field.fill('12345');
    await expect(page.getByTestId('number-hint').textContent()).resolves.toBe('"12345" is not a valid phone number: too short for the United States. Without a +, numbers are read as numbers in the United States; for another country, start with + and its country code.');
    await expect(call.isDisabled()).resolves.toBe(true);
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    // Enter in the field does not dial either.
    await field.press('Enter');
    await field.fill('+1 415 CALL NOW');
    await expect(page.getByTestId('number-hint').textContent()).resolves.toContain('is not a phone number');
    await field.press('Enter');
    await screenshot(page, '31-invalid-number');
    await page.waitForTimeout(300);
    expect(functionCalls.filter((name) => !READS.includes(name))).toEqual([]);
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });

  it('a call that fails shows the row’s last_error in plain words', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('failing'));
    await setDemoTimings(page, { outcome: 'failed', dialSeconds: 1 });
    await goTo(page, 'Dial');
    await page.getByLabel('Phone number').fill('+14155550151');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const dialer = page.getByTestId('dialer-status');
    await waitForStatus(dialer, 'failed');
    await dialer.getByRole('alert').filter({ hasText: 'Simulated carrier failure: the call could not be connected.' }).waitFor();
    await expect(dialer.textContent()).resolves.toContain('The call could not be connected.');
    await screenshot(page, '32-call-failed');
    await goTo(page, 'History');
    await page.getByTestId('history-row').filter({ hasText: 'Simulated carrier failure' }).waitFor();
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });
});

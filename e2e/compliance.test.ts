import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { describe, expect, inject, it } from 'vitest';
import { nextWednesdayUtc, openComplianceTab, setSimulatedClock, waitForDialCheck } from './support/compliance-page.js';
import { goTo, newUser, screenshot, setDemoTimings, signIn, signUp, unexpectedErrors, waitForStatus } from './support/dialer-page.js';
import { importCsv } from './support/leads-page.js';
import { useTrackedPage } from './support/use-tracked-page.js';

/** A refused dial answers 409: Chromium logs that response as a console error, which these tests provoke. */
const REFUSED = [/status of 409/];

describe('The compliance gate in Chromium (demo mode)', () => {
  const baseUrl = inject('serverUrl');
  const pages = useTrackedPage();
  const admin = newUser('compliance');

  it('CG a number on the do-not-call list is refused from the keypad and from a lead: said before Call, refused by the server, no call created', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, admin);
    // A Wednesday at 11:00 in California: inside every calling window, so only the list can refuse.
    await setDemoTimings(page, { outcome: 'completed', dialSeconds: 0.5, ringSeconds: 1, talkSeconds: 2, gateClock: nextWednesdayUtc(19) });

    await openComplianceTab(page, 'Do-not-call list');
    const add = page.getByRole('form', { name: 'Add to the do-not-call list' });
    await add.getByLabel('Numbers to add').fill('(415) 555-0190\nnot a number');
    await add.getByLabel('Note').fill('Asked by email');
    await add.getByRole('button', { name: 'Add numbers' }).click();
    const outcome = page.getByTestId('dnc-outcome');
    await outcome.getByText('Added 1; 0 already listed; 1 not valid.').waitFor();
    await expect(outcome.locator('li').first().textContent()).resolves.toMatch(/^not a number: /);
    const listed = page.locator('[data-testid="dnc-row"][data-number="+14155550190"]');
    await listed.waitFor();
    await expect(listed.textContent()).resolves.toContain('Asked by email');
    await expect(page.getByTestId('pager-count').getAttribute('data-total')).resolves.toBe('1');
    // A file of numbers (any column): one new, one already listed.
    await page.getByLabel('Import a file of numbers').setInputFiles({ name: 'dnc.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Phone\nRo,(415) 555-0193\nDora,+14155550190\n') });
    await outcome.getByText('dnc.csv: added 1; 1 already listed; 0 not valid.').waitFor();
    await page.locator('[data-testid="pager-count"][data-total="2"]').waitFor();
    await page.getByLabel('Search numbers').fill('5550199');
    await page.getByText('No listed number matches.').waitFor();
    await page.getByLabel('Search numbers').fill('0193');
    const fromFile = page.locator('[data-testid="dnc-row"][data-number="+14155550193"]');
    await fromFile.waitFor();
    await expect(page.getByTestId('dnc-row').count()).resolves.toBe(1);
    // Removing a number needs a reason, and is logged.
    await fromFile.getByRole('button', { name: 'Remove +14155550193' }).click();
    await fromFile.getByLabel('Reason for removing').fill('Imported by mistake');
    await screenshot(page, '60-compliance-do-not-call-remove');
    await fromFile.getByRole('button', { name: 'Confirm removal' }).click();
    await page.getByText('No listed number matches.').waitFor();
    await page.getByLabel('Search numbers').fill('');
    await listed.waitFor();
    await page.locator('[data-testid="pager-count"][data-total="1"]').waitFor();
    await screenshot(page, '60-compliance-do-not-call-list');

    // The keypad: a clean number can be called now (its local time shown), the listed one cannot.
    await goTo(page, 'Dial');
    const field = page.getByLabel('Phone number');
    await field.fill('+1 415 555 0192');
    const allowed = await waitForDialCheck(page, 'allowed');
    await expect(allowed.textContent()).resolves.toMatch(/^Can call now — 11:0\d in Los Angeles$/);
    await field.fill('+1 415 555 0190');
    const refused = await waitForDialCheck(page, 'refused', 'do_not_call');
    await expect(refused.textContent()).resolves.toContain('On the do-not-call list');
    await screenshot(page, '61-keypad-do-not-call-before-call');
    const call = page.getByRole('button', { name: 'Call', exact: true });
    await expect(call.isEnabled()).resolves.toBe(true);
    await call.click();
    const error = page.getByTestId('call-error');
    await error.waitFor();
    await expect(error.getAttribute('data-code')).resolves.toBe('do_not_call');
    expect((await error.textContent())?.length).toBeGreaterThan(10);
    await expect(page.getByTestId('dialer-status').textContent()).resolves.toContain('Idle: no call on line');
    await screenshot(page, '62-keypad-do-not-call-refused');

    // A lead with that number: the DialerModal says so, and its Call is refused the same way.
    // The lead comes from an import that says where its callee is (its state and time zone).
    await goTo(page, 'Leads');
    const imported = await importCsv(page, 'dnc-lead.csv', 'Name,Phone,State,Time zone\nDora Nocall,+1 415 555 0190,California,America/Los_Angeles\n');
    expect(imported).toMatchObject({ inserted: 1, refused: 0 });
    await page.getByTestId('lead-row').filter({ hasText: 'Dora Nocall' }).waitFor();
    await page.getByRole('button', { name: 'Call Dora Nocall' }).click();
    const modal = page.getByRole('dialog', { name: 'Dora Nocall' });
    await expect(modal.getByTestId('modal-lead-place').textContent()).resolves.toBe('CA · America/Los_Angeles');
    await waitForDialCheck(modal, 'refused', 'do_not_call');
    await modal.getByRole('button', { name: 'Call Dora Nocall' }).click();
    const modalError = modal.getByTestId('call-error');
    await modalError.waitFor();
    await expect(modalError.getAttribute('data-code')).resolves.toBe('do_not_call');
    await expect(modal.locator('[data-call-status]').count()).resolves.toBe(0);
    await screenshot(page, '63-lead-do-not-call-refused');
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'detached' });

    // No call was created on either path.
    await goTo(page, 'History');
    await page.getByText('No calls yet.').waitFor();
    await expect(page.getByTestId('pager-count').getAttribute('data-total')).resolves.toBe('0');

    // From the keypad, a member puts a number on the list; the dialer then says so.
    await goTo(page, 'Dial');
    await page.getByLabel('Phone number').fill('+1 415 555 0194');
    await waitForDialCheck(page, 'allowed');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Add to do-not-call list' }).click();
    await page.getByText('+14155550194 is now on the do-not-call list.').waitFor();
    await waitForDialCheck(page, 'refused', 'do_not_call');
    expect(unexpectedErrors(pages.current, REFUSED)).toEqual([]);
  });

  it('CG an outside-hours refusal: with the simulated clock in the callee’s evening the dialer says when the window opens, the server refuses; the log lists both refusals and exports them', async () => {
    const { page } = pages.current;
    await signIn(page, baseUrl, admin);
    // 06:30 UTC on a Wednesday: 22:30 (or 23:30 in summer time) on Tuesday evening in California.
    await setSimulatedClock(page, nextWednesdayUtc(6, 30));
    await page.getByTestId('simulated-time').getByText('Simulated time:', { exact: false }).waitFor();
    await expect(page.getByTestId('simulated-zones').textContent()).resolves.toMatch(/Tue 2[23]:3\d Pacific/);
    await screenshot(page, '64-settings-simulated-clock');

    await goTo(page, 'Dial');
    await page.getByLabel('Phone number').fill('+1 415 555 0191');
    const refused = await waitForDialCheck(page, 'refused', 'outside_calling_hours');
    const said = (await refused.textContent()) ?? '';
    expect(said).toMatch(/^Not now — /);
    expect(said).toMatch(/2[23]:3\d/);
    expect(said).toMatch(/Opens in \d+ h( \d+ min)?\.$/);
    await screenshot(page, '65-keypad-outside-hours-before-call');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const error = page.getByTestId('call-error');
    await error.waitFor();
    await expect(error.getAttribute('data-code')).resolves.toBe('outside_calling_hours');
    await expect(error.textContent()).resolves.toMatch(/2[23]:3\d/);
    await expect(page.getByTestId('dialer-status').textContent()).resolves.toContain('Idle: no call on line');
    await screenshot(page, '66-keypad-outside-hours-refused');

    // The log: the two do-not-call refusals and this one, newest first, filtered on the server.
    await openComplianceTab(page, 'Log');
    const refusals = page.locator('[data-testid="compliance-event"][data-kind="dial_refused"]');
    await refusals.nth(2).waitFor();
    await expect(refusals.first().getAttribute('data-code')).resolves.toBe('outside_calling_hours');
    // Each entry keeps the facts the gate decided on: here the callee's zone.
    await refusals.first().getByText('Facts').click();
    await expect(refusals.first().locator('pre').textContent()).resolves.toContain('America/Los_Angeles');
    // The refusal from the lead's DialerModal links to the lead.
    await expect(page.locator('[data-testid="compliance-event"][data-code="do_not_call"]').getByRole('link', { name: 'Open the lead' }).count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="compliance-event"][data-kind="dial_refused"][data-code="do_not_call"]').count()).resolves.toBe(2);
    await expect(page.locator('[data-testid="compliance-event"][data-kind="dnc_added"]').count()).resolves.toBe(3);
    await expect(page.locator('[data-testid="compliance-event"][data-kind="dnc_removed"]').count()).resolves.toBe(1);
    await screenshot(page, '67-compliance-log');
    await page.getByLabel('Reason').selectOption('outside_calling_hours');
    await page.locator('[data-testid="pager-count"][data-total="1"]').waitFor();
    await page.getByLabel('Reason').selectOption('');
    await page.getByLabel('Event').selectOption('dial_refused');
    await page.locator('[data-testid="pager-count"][data-total="3"]').waitFor();

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const records = parse(await readFile(await (await download).path(), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    expect(records).toHaveLength(3);
    expect(records.map((record) => record['code']).sort()).toEqual(['do_not_call', 'do_not_call', 'outside_calling_hours']);

    // Back to the real clock.
    await goTo(page, 'Settings');
    await page.getByTestId('simulated-clock').getByRole('button', { name: 'Reset' }).click();
    await page.getByText('The clock is real again.').waitFor();
    await expect(page.getByTestId('simulated-time').getAttribute('data-offset')).resolves.toBe('');
    expect(unexpectedErrors(pages.current, REFUSED)).toEqual([]);
  });

  it('the admin edits the rules and a state’s calling hours; a list narrows its calling window; a second attempt within 24 hours is refused with when the next is allowed; the floor shows the abandonment rate against the limit', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('compliance-rules'));
    await openComplianceTab(page, 'Rules');
    const rules = page.getByRole('form', { name: 'Compliance settings' });
    await rules.getByLabel('Attempts per 24 h').fill('1');
    await rules.getByLabel('Abandonment limit (%)').fill('2.5');
    await rules.getByRole('button', { name: 'Save compliance settings' }).click();
    await rules.getByText('Compliance settings saved.').waitFor();
    await screenshot(page, '68-compliance-rules');

    await page.getByRole('tab', { name: 'Calling hours', exact: true }).click();
    const add = page.getByRole('form', { name: 'Add a calling-hours rule' });
    await add.getByLabel('State').fill('WY');
    await add.getByLabel('Day', { exact: true }).selectOption('sat');
    await add.getByLabel('From').fill('10:00');
    await add.getByLabel('Until').fill('17:00');
    await add.getByLabel('Source').fill('Workspace policy');
    await add.getByRole('button', { name: 'Add rule' }).click();
    const cell = page.locator('[data-testid="calling-hour-rule"][data-region="WY"][data-day="sat"]');
    await cell.waitFor();
    await expect(cell.textContent()).resolves.toBe('10:00–17:00');
    await screenshot(page, '69-compliance-calling-hours');
    await cell.getByRole('button').click();
    const edit = page.getByTestId('calling-hour-edit');
    await edit.getByText('Changed by compliance-rules-', { exact: false }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await edit.getByRole('button', { name: 'Delete this rule' }).click();
    await cell.waitFor({ state: 'detached' });

    await goTo(page, 'Leads');
    await page.getByRole('button', { name: 'Lists', exact: true }).click();
    const newList = page.getByRole('form', { name: 'New list' });
    await newList.getByLabel('List name').fill('Mornings');
    await newList.getByLabel('Calls from').fill('09:00');
    await newList.getByLabel('Calls until').fill('12:00');
    await newList.getByLabel('Attempts per day').fill('2');
    await newList.getByRole('button', { name: 'Create list' }).click();
    const list = page.getByTestId('lead-list').filter({ hasText: 'Mornings' });
    await list.waitFor();
    await expect(list.textContent()).resolves.toContain('calls 09:00–12:00');
    await expect(list.textContent()).resolves.toContain('2 a day');

    // One attempt per 24 hours: a second call to the same number is refused until the first is a day old.
    await setDemoTimings(page, { outcome: 'completed', dialSeconds: 0.5, ringSeconds: 0.5, talkSeconds: 1 });
    await goTo(page, 'Dial');
    await page.getByLabel('Phone number').fill('+1 415 555 0195');
    await waitForDialCheck(page, 'allowed');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await waitForStatus(page.getByTestId('dialer-status'), 'completed');
    const capped = await waitForDialCheck(page, 'refused', 'attempt_limit_reached');
    await expect(capped.textContent()).resolves.toMatch(/^Attempt limit reached — .* Next attempt in (23 h \d+ min|24 h)\.$/);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const error = page.getByTestId('call-error');
    await error.waitFor();
    await expect(error.getAttribute('data-code')).resolves.toBe('attempt_limit_reached');
    await expect(error.textContent()).resolves.toContain('Code: attempt_limit_reached');
    await screenshot(page, '71-keypad-attempt-limit');

    await goTo(page, 'Floor');
    const abandonment = page.getByTestId('floor-abandonment');
    const team = abandonment.getByTestId('abandonment-tile').first();
    await team.getByText('limit 2.5%', { exact: false }).waitFor();
    await expect(team.textContent()).resolves.toMatch(/^Team0%0 of 1 answered · limit 2\.5%$/);
    await expect(abandonment.getAttribute('data-over-limit')).resolves.toBe('false');
    await screenshot(page, '70-floor-abandonment');
    expect(unexpectedErrors(pages.current, REFUSED)).toEqual([]);
  });
});

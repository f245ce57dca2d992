import { describe, expect, inject, it } from 'vitest';
import { useTrackedPage } from './support/use-tracked-page.js';
import { goTo, newUser, recordStatuses, screenshot, setDemoTimings, signUp, unexpectedErrors, waitForStatus } from './support/dialer-page.js';
import { importCsv, runImport, searchLeads, uploadCsv } from './support/leads-page.js';

const CSV = [
  'Name,Phone,Company,Email,Notes',
  'Ada Lovelace,+1 415 555 0171,Analytical Engines,ada@example.com,Prefers mornings',
  'No Number,,Acme,,',
  ',+14155550172,Nameless Inc,,',
  'Grace Hopper,(415) 555-0173,Navy,,',
  'Bad Digits,12345,,,',
].join('\n');

describe('Leads and DialerModal in Chromium', () => {
  const baseUrl = inject('serverUrl');
  const pages = useTrackedPage();


  it('imports a CSV through the server with each refused row listed; adds a lead with an extension, searches and filters leads', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('csv'));
    await goTo(page, 'Leads');
    await page.getByText('No leads yet.', { exact: false }).waitFor();
    const panel = await uploadCsv(page, 'leads.csv', CSV);
    await expect(panel.getByTestId('import-summary').textContent()).resolves.toContain('5 rows, cells separated by commas');
    await screenshot(page, '10-leads-import-preview');
    const counts = await runImport(page, panel);
    // Row 4 has no name: the company stands in for it.
    expect(counts).toMatchObject({ inserted: 3, updated: 0, skipped: 0, refused: 2 });
    expect(counts.problems).toHaveLength(2);
    expect(counts.problems[0]).toMatch(/^Row 3: /);
    expect(counts.problems[1]).toMatch(/^Row 6: .*12345/);
    await screenshot(page, '10-leads-csv-import');
    await panel.getByRole('button', { name: 'Close the import' }).click();
    await page.getByTestId('lead-row').nth(2).waitFor();
    expect(await page.getByTestId('lead-row').count()).toBe(3);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, '10-leads-phone-width');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('button', { name: 'Add lead' }).click();
    const form = page.getByRole('form', { name: 'Add a lead' });
    await form.getByLabel('Name').fill('Katherine Johnson');
    await form.getByLabel('Phone').fill('020 7946 0321');
    await form.getByText('Not a valid number yet').waitFor();
    await form.getByLabel('Phone').fill('+44 20 7946 0321 ext. 12');
    await form.getByText('+442079460321 ext. 12 · United Kingdom').waitFor();
    await form.getByRole('button', { name: 'Add lead' }).click();
    const katherine = page.getByTestId('lead-row').filter({ hasText: 'Katherine Johnson' });
    await katherine.waitFor();
    await expect(katherine.textContent()).resolves.toContain('+442079460321 ext. 12');
    // The same number again is refused, naming the lead that has it.
    await form.getByLabel('Name').fill('Katherine Again');
    await form.getByLabel('Phone').fill('+44 20 7946 0321');
    await form.getByRole('button', { name: 'Add lead' }).click();
    await form.getByRole('alert').filter({ hasText: 'Katherine Johnson already has the number +442079460321' }).waitFor();
    await page.getByRole('button', { name: 'Close form' }).click();

    // The search runs on the server once typing settles.
    expect(await searchLeads(page, 'grace')).toBe(1);
    await page.getByTestId('lead-row').filter({ hasText: 'Grace Hopper' }).waitFor();
    expect(await searchLeads(page, '(415) 555-0173')).toBe(1);
    expect(await searchLeads(page, 'zzz 1')).toBe(0);
    await page.getByText('No leads match.').waitFor();
    await searchLeads(page, '');
    await page.getByLabel('Status').selectOption('interested');
    await page.getByText('No leads match.').waitFor();
    await page.getByLabel('Status').selectOption('new');
    await page.getByTestId('lead-row').nth(3).waitFor();

    // A lead's page: its details, edited there.
    await katherine.getByRole('link', { name: 'Katherine Johnson' }).click();
    const leadPage = page.getByTestId('lead-page');
    await expect(leadPage.getByTestId('lead-phone').textContent()).resolves.toBe('+442079460321 ext. 12');
    await leadPage.getByRole('button', { name: 'Edit' }).click();
    await leadPage.getByRole('form', { name: 'Edit the lead' }).getByLabel('Company').fill('NASA');
    await leadPage.getByRole('button', { name: 'Save lead' }).click();
    await leadPage.getByText('NASA').waitFor();
    await screenshot(page, '10-lead-page');
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });

  it('calls a lead through DialerModal, saves a disposition and notes, and shows the lead status and the History row', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('modal'));
    await setDemoTimings(page, { outcome: 'completed', dialSeconds: 0.5, ringSeconds: 1, talkSeconds: 2 });
    await goTo(page, 'Leads');
    await importCsv(page, 'leads.csv', CSV);
    await page.getByTestId('lead-row').filter({ hasText: 'Ada Lovelace' }).waitFor();

    await page.getByRole('button', { name: 'Call Ada Lovelace' }).click();
    const modal = page.getByRole('dialog', { name: 'Ada Lovelace' });
    await modal.waitFor();
    await expect(modal.getByTestId('modal-lead-status').textContent()).resolves.toBe('New');
    await expect(modal.getByTestId('modal-lead-attempts').textContent()).resolves.toBe('0');
    await screenshot(page, '11-dialer-modal');

    const statuses = await recordStatuses(page, 'dialer-modal');
    await modal.getByRole('radio', { name: 'Line 2' }).check();
    await modal.getByRole('button', { name: 'Call Ada Lovelace' }).click();
    await waitForStatus(modal, 'in-progress');
    await expect(modal.getByTestId('call-status').textContent()).resolves.toContain('Ada Lovelace · +14155550171 · Line 2');
    await waitForStatus(modal, 'completed');
    expect(await statuses()).toEqual(['dialing', 'ringing', 'in-progress', 'completed']);
    // The database counted the attempt when the call ended.
    await modal.getByTestId('modal-lead-attempts').filter({ hasText: '1' }).waitFor();
    await expect(modal.getByTestId('modal-lead-status').textContent()).resolves.toBe('Contacted');

    await modal.getByLabel('Disposition').selectOption('interested');
    await modal.getByLabel('Notes').fill('Wants a demo next Tuesday.');
    await screenshot(page, '12-dialer-modal-disposition');
    await modal.getByRole('button', { name: 'Save disposition' }).click();
    await modal.getByText('Saved. The lead is now “Interested”.').waitFor();
    await modal.getByTestId('modal-lead-status').filter({ hasText: 'Interested' }).waitFor();
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'detached' });

    const row = page.getByTestId('lead-row').filter({ hasText: 'Ada Lovelace' });
    await row.locator('[data-lead-status="interested"]').waitFor();
    await expect(row.textContent()).resolves.toContain('Interested');

    // The lead's page lists the call with the disposition and its notes.
    await row.getByRole('link', { name: 'Ada Lovelace' }).click();
    const leadCall = page.getByTestId('lead-page').getByTestId('lead-call');
    await leadCall.filter({ hasText: 'Wants a demo next Tuesday.' }).waitFor();
    await expect(leadCall.textContent()).resolves.toMatch(/Completed.*Line 2.*Interested/);
    await screenshot(page, '12-lead-page-calls');

    await goTo(page, 'History');
    const historyRow = page.getByTestId('history-row').filter({ hasText: 'Ada Lovelace' });
    await historyRow.waitFor();
    await expect(historyRow.textContent()).resolves.toMatch(/Ada Lovelace.*\+14155550171.*Line 2.*Completed.*Interested.*Wants a demo next Tuesday\./);
    await page.getByLabel('Outcome').selectOption('busy');
    await page.getByText('No calls match these filters.').waitFor();
    await page.getByLabel('Outcome').selectOption('completed');
    await historyRow.waitFor();
    await screenshot(page, '13-history-with-disposition');
    const day = (offset: number) => {
      const date = new Date();
      date.setDate(date.getDate() + offset);
      return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    };
    await page.getByLabel('From', { exact: true }).fill(day(1));
    await page.getByText('No calls match these filters.').waitFor();
    await page.getByLabel('From', { exact: true }).fill(day(0));
    await page.getByLabel('To', { exact: true }).fill(day(0));
    await historyRow.waitFor();

    // The disposition is corrected later from History; the server applies it to the lead.
    await historyRow.getByRole('button', { name: 'Change' }).click();
    await page.getByRole('row', { name: 'How did it go? Disposition' }).getByLabel('Disposition').selectOption('do_not_call');
    await page.getByRole('button', { name: 'Save disposition' }).click();
    await page.getByText('Saved. The lead is now “Do not call”.').waitFor();
    await historyRow.getByText('Do not call').waitFor();
    await screenshot(page, '14-history-disposition-corrected');

    // TR1: the server refuses the number on every path, the keypad included.
    await goTo(page, 'Dial');
    await page.getByLabel('Phone number').fill('+1 415 555 0171');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const refusal = page.getByTestId('call-error');
    await refusal.waitFor();
    await expect(refusal.getAttribute('data-code')).resolves.toBe('do_not_call');
    // The do_not_call disposition put the number on the workspace's list, which the gate checks first.
    await expect(refusal.textContent()).resolves.toContain("+14155550171 is on your workspace's do-not-call list");
    await screenshot(page, '15-dialer-do-not-call');

    // Demo calls count in the demo figures only.
    await goTo(page, 'Stats');
    await page.getByRole('button', { name: 'Demo calls', pressed: true }).waitFor();
    await page.getByTestId('stats-tiles').getByText('100%').waitFor();
    await page.getByRole('button', { name: 'Real calls' }).click();
    await page.getByTestId('stats-tiles').getByText('—').waitFor();
    expect(unexpectedErrors(pages.current, [/409/])).toEqual([]);
  });
  it('creates, edits and archives a list; moves, sets the status of and deletes a selection, listing the leads left as they were', async () => {
    const { page } = pages.current;
    page.on('dialog', (dialog) => void dialog.accept());
    await signUp(page, baseUrl, newUser('lists'));
    await goTo(page, 'Leads');
    await importCsv(page, 'leads.csv', CSV);
    await page.getByTestId('lead-row').nth(2).waitFor();

    await page.getByRole('button', { name: 'Lists' }).click();
    const create = page.getByRole('form', { name: 'New list' });
    await create.getByLabel('List name').fill('Spring campaign');
    await create.getByLabel('Record calls').check();
    await create.getByRole('button', { name: 'Create list' }).click();
    const listItem = page.getByTestId('lead-list').filter({ hasText: 'Spring campaign' });
    await listItem.waitFor();
    await expect(listItem.textContent()).resolves.toContain('recorded');
    await listItem.getByRole('button', { name: 'Edit Spring campaign' }).click();
    const edit = page.getByRole('form', { name: 'Settings of Spring campaign' });
    await edit.getByLabel('List name').fill('Spring 2027');
    await edit.getByRole('button', { name: 'Save list' }).click();
    await page.getByTestId('lead-list').filter({ hasText: 'Spring 2027' }).waitFor();

    const bulk = page.getByRole('form', { name: 'Bulk actions' });
    await page.getByRole('checkbox', { name: 'Select Ada Lovelace' }).check();
    await page.getByRole('checkbox', { name: 'Select Grace Hopper' }).check();
    await expect(bulk.getByTestId('selected-count').textContent()).resolves.toBe('2 selected');
    await bulk.getByLabel('Action').selectOption('move');
    await bulk.getByLabel('List').selectOption({ label: 'Spring 2027' });
    await bulk.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('bulk-report').getByText('2 leads updated.').waitFor();
    await page.getByRole('search').getByLabel('List').selectOption({ label: 'Spring 2027' });
    await page.getByTestId('pager-count').and(page.locator('[data-total="2"]')).waitFor();
    await expect(page.getByTestId('lead-row').filter({ hasText: 'Ada Lovelace' }).textContent()).resolves.toContain('Spring 2027');

    // Do not call is sticky: a later status for the whole selection leaves Ada as she is, and says why.
    await page.getByRole('checkbox', { name: 'Select Ada Lovelace' }).check();
    await bulk.getByLabel('Action').selectOption('set_status');
    await bulk.getByLabel('Status').selectOption('do_not_call');
    await bulk.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('bulk-report').getByText('1 lead updated.').waitFor();
    await page.getByRole('checkbox', { name: 'Select every lead on this page' }).check();
    await bulk.getByLabel('Action').selectOption('set_status');
    await bulk.getByLabel('Status').selectOption('interested');
    await bulk.getByRole('button', { name: 'Apply' }).click();
    const report = page.getByTestId('bulk-report');
    await report.getByText('1 lead updated. 1 left as they were:').waitFor();
    await expect(report.locator('li').allTextContents()).resolves.toEqual(['Ada Lovelace: do not call stays: it is never cleared']);
    await screenshot(page, '18-leads-bulk-report');

    await page.getByRole('checkbox', { name: 'Select Grace Hopper' }).check();
    await bulk.getByLabel('Action').selectOption('delete');
    await bulk.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('bulk-report').getByText('1 lead updated.').waitFor();
    await page.getByTestId('pager-count').and(page.locator('[data-total="1"]')).waitFor();

    await page.getByTestId('lead-list').filter({ hasText: 'Spring 2027' }).getByRole('button', { name: 'Archive Spring 2027' }).click();
    await page.getByTestId('lead-list').filter({ hasText: 'Spring 2027' }).waitFor({ state: 'detached' });
    await page.getByRole('search').getByLabel('List').getByRole('option', { name: 'Spring 2027 (archived)' }).waitFor({ state: 'attached' });
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });
});

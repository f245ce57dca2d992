import { describe, expect, inject, it } from 'vitest';
import { goTo, newUser, screenshot, signUp, unexpectedErrors } from './support/dialer-page.js';
import { runImport, searchLeads, uploadCsv } from './support/leads-page.js';
import { useTrackedPage } from './support/use-tracked-page.js';

const LEAD_COUNT = 5_000;

/** A CRM export of 5,000 leads; the first is Ada Firstrow, every number a different New York one. */
function bigExport(): string {
  const rows = ['Account Name,Full Name,Mobile,Email,Description'];
  for (let i = 0; i < LEAD_COUNT; i++) {
    const name = i === 0 ? 'Ada Firstrow' : `Lead ${i}`;
    rows.push(`Company ${i},${name},+1 212 555 ${String(i).padStart(4, '0')},lead${i}@example.com,"Row ${i + 2}, imported"`);
  }
  return `${rows.join('\r\n')}\r\n`;
}

const GERMAN_EXPORT = [
  'sep=;',
  'Vorname;Nachname;Firma;Telefon;E-Mail;Bemerkung',
  'Max;Müller;Beispiel GmbH;030 1234567;max@example.de;Rückruf erbeten, gern vormittags',
  'Erika;Mustermann;"Muster; Söhne AG";+49 89 123456;erika@example.de;',
  'Hans;Ohne;Keine Nummer GmbH;;hans@example.de;',
].join('\r\n');

describe('Lead imports through the server in Chromium', () => {
  const baseUrl = inject('serverUrl');
  const pages = useTrackedPage();

  it('imports 5,000 leads with a progress bar; the first is found by name and by number; the same file again adds nothing; the search never matches every lead', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('bulk-import'));
    await goTo(page, 'Leads');
    const csv = bigExport();
    const panel = await uploadCsv(page, 'crm-export.csv', csv);
    await expect(panel.getByTestId('import-summary').textContent()).resolves.toContain('5,000 rows');
    // Salesforce-style headers are mapped without help: the mobile stands in for the phone.
    await expect(panel.locator('select[data-field="company"]').inputValue()).resolves.toBe('Account Name');
    await expect(panel.locator('select[data-field="notes"]').inputValue()).resolves.toBe('Description');
    await expect(panel.locator('select[data-field="mobile"]').inputValue()).resolves.toBe('Mobile');
    const started = Date.now();
    const first = await runImport(page, panel, 180_000);
    process.stdout.write(`\n5,000-lead import, start to done in the browser: ${Date.now() - started} ms\n`);
    expect(first).toMatchObject({ inserted: LEAD_COUNT, updated: 0, skipped: 0, refused: 0 });
    await screenshot(page, '16-import-5000');
    await panel.getByRole('button', { name: 'Close the import' }).click();
    await page.getByTestId('pager-count').and(page.locator(`[data-total="${LEAD_COUNT}"]`)).waitFor();

    expect(await searchLeads(page, 'Ada Firstrow')).toBe(1);
    await page.getByTestId('lead-row').filter({ hasText: 'Ada Firstrow' }).waitFor();
    expect(await searchLeads(page, '212 555 0000')).toBe(1);
    await page.getByTestId('lead-row').filter({ hasText: 'Ada Firstrow' }).waitFor();
    // Words are never matched against the phone's digits: Company 28, 280–289 and 2800–2899.
    expect(await searchLeads(page, 'Company 28')).toBe(111);
    expect(await searchLeads(page, 'zzz 1')).toBe(0);
    expect(await searchLeads(page, '')).toBe(LEAD_COUNT);

    // The same file again: every number is already a lead, so nothing is added.
    const again = await runImport(page, await uploadCsv(page, 'crm-export.csv', csv), 180_000);
    expect(again).toMatchObject({ inserted: 0, updated: 0, skipped: LEAD_COUNT, refused: 0 });
    await page.getByRole('button', { name: 'Close the import' }).click();
    expect(await searchLeads(page, 'Lead 4999')).toBe(1);

    // Every lead of a search, over three pages, moved to a new list at once.
    await page.getByRole('button', { name: 'Lists' }).click();
    const create = page.getByRole('form', { name: 'New list' });
    await create.getByLabel('List name').fill('Companies 28');
    await create.getByRole('button', { name: 'Create list' }).click();
    await page.getByTestId('lead-list').filter({ hasText: 'Companies 28' }).waitFor();
    expect(await searchLeads(page, 'Company 28')).toBe(111);
    await page.getByRole('checkbox', { name: 'Select every lead on this page' }).check();
    await page.getByRole('button', { name: 'Select all 111 matching leads' }).click();
    const bulk = page.getByRole('form', { name: 'Bulk actions' });
    await bulk.getByTestId('selected-count').filter({ hasText: '111 selected' }).waitFor();
    await bulk.getByLabel('List').selectOption({ label: 'Companies 28' });
    await bulk.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('bulk-report').getByText('111 leads updated.').waitFor();
    await searchLeads(page, '');
    await page.getByRole('search').getByLabel('List').selectOption({ label: 'Companies 28' });
    await page.getByTestId('pager-count').and(page.locator('[data-total="111"]')).waitFor();
    await page.getByRole('search').getByLabel('List').selectOption({ label: 'All lists' });
    await page.getByTestId('pager-count').and(page.locator(`[data-total="${LEAD_COUNT}"]`)).waitFor();
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });

  it('imports a European semicolon export with German headers and a sep= line through the mapping preview', async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('german-import'));
    await goTo(page, 'Leads');
    const panel = await uploadCsv(page, 'Kontakte.csv', Buffer.from(`\uFEFF${GERMAN_EXPORT}`));
    await expect(panel.getByTestId('import-summary').textContent()).resolves.toContain('3 rows, cells separated by semicolons (named by its sep= line)');
    await expect(panel.locator('select[data-field="phone"]').inputValue()).resolves.toBe('Telefon');
    await expect(panel.locator('select[data-field="firstName"]').inputValue()).resolves.toBe('Vorname');
    await expect(panel.locator('select[data-field="lastName"]').inputValue()).resolves.toBe('Nachname');
    await expect(panel.locator('select[data-field="company"]').inputValue()).resolves.toBe('Firma');
    // The user changes the mapping: no notes from this file; numbers without + are German.
    await panel.locator('select[data-field="notes"]').selectOption('');
    await panel.getByLabel('Country of numbers without +').fill('DE');
    await panel.getByText('Germany').waitFor();
    await screenshot(page, '17-import-german-preview');
    const counts = await runImport(page, panel);
    expect(counts).toMatchObject({ inserted: 2, refused: 1 });
    // Excel's sep= line is not a row: the header is row 1, Hans row 4.
    expect(counts.problems[0]).toMatch(/^Row 4: phone/);
    await page.getByRole('button', { name: 'Close the import' }).click();
    expect(await searchLeads(page, 'Müller')).toBe(1);
    const max = page.getByTestId('lead-row').filter({ hasText: 'Max Müller' });
    await expect(max.textContent()).resolves.toContain('+49301234567');
    await expect(max.textContent()).resolves.not.toContain('Rückruf');
    expect(await searchLeads(page, 'Muster; Söhne')).toBe(1);

    // A workbook is recognised and refused by name; nothing is previewed.
    await page.getByLabel('Import CSV').setInputFiles({ name: 'Kontakte.xlsx', mimeType: 'application/octet-stream', buffer: Buffer.from('PK\u0003\u0004\u0014\u0000[Content_Types].xml PK\u0003\u0004 xl/workbook.xml', 'latin1') });
    const refusal = page.getByTestId('import-error');
    await refusal.waitFor();
    await expect(refusal.getAttribute('data-code')).resolves.toBe('unsupported_file');
    await expect(refusal.textContent()).resolves.toContain('"Kontakte.xlsx" is an Excel workbook');
    expect(unexpectedErrors(pages.current, [/status of 415/])).toEqual([]);
  });
});

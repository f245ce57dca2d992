import type { Locator, Page } from 'playwright-core';

/** Chooses a file with Import CSV and waits for the server's preview of it. */
export async function uploadCsv(page: Page, name: string, content: string | Buffer): Promise<Locator> {
  await page.getByLabel('Import CSV').setInputFiles({ name, mimeType: 'text/csv', buffer: typeof content === 'string' ? Buffer.from(content) : content });
  const panel = page.getByTestId('import-panel');
  await panel.getByTestId('import-summary').waitFor();
  return panel;
}

export interface ImportCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly skipped: number;
  readonly refused: number;
  readonly problems: string[];
}

/** Starts the previewed import, waits for its result and reads it. */
export async function runImport(page: Page, panel: Locator, timeout = 120_000): Promise<ImportCounts> {
  await panel.getByRole('button', { name: /^Import [\d,]+ rows?$/ }).click();
  const counts = panel.getByTestId('import-counts');
  await counts.waitFor({ timeout });
  const read = async (name: string) => Number(await counts.getAttribute(`data-${name}`));
  return {
    inserted: await read('inserted'),
    updated: await read('updated'),
    skipped: await read('skipped'),
    refused: await read('refused'),
    problems: await panel.locator('.import-problems li').allTextContents(),
  };
}

/** Uploads, imports with the suggested mapping, closes the panel. */
export async function importCsv(page: Page, name: string, content: string | Buffer): Promise<ImportCounts> {
  const panel = await uploadCsv(page, name, content);
  const counts = await runImport(page, panel);
  await panel.getByRole('button', { name: 'Close the import' }).click();
  return counts;
}

/** Types a search and returns the total the server answered for it (the pager's count). */
export async function searchLeads(page: Page, query: string): Promise<number> {
  const isSearch = query.trim() !== '';
  const answered = page.waitForResponse((response) => response.url().includes('/rest/v1/leads?') && response.url().includes('or=') === isSearch);
  await page.getByLabel('Search').fill(query);
  await answered;
  await page.waitForTimeout(200);
  return Number(await page.getByTestId('pager-count').getAttribute('data-total'));
}

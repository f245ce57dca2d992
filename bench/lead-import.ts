/**
 * A 50,000-row CRM export imported through the HTTP route, on PostgreSQL. Prints figures; asserts
 * only that every row is accounted for.
 *
 *   npx tsx bench/lead-import.ts
 *   IMPORT_ROWS=10000 npx tsx bench/lead-import.ts
 *
 * The server runs as its own process (`npm start`'s entry) on a fresh PostgreSQL database
 * (TEST_DATABASE_URL's server). One admin signs up, uploads the file (POST /imports/leads), starts
 * it with the suggested mapping (startLeadImport, duplicates skipped) and polls getLeadImport
 * every 250 ms until it is done. The file is a Salesforce-style export: first and last name,
 * account name, national US numbers in mixed formats (some only in the Mobile column, some with an
 * extension), emails, notes with commas, quotes and line breaks; 1% of the rows are refused (a
 * bad number) and 1% repeat an earlier number.
 *
 * Timed: the upload and preview; the import from start to done (batches of 1,000); the same
 * file imported again (every row a duplicate: nothing added). Baseline in the same run: the
 * same number of leads inserted by one SQL statement in the same database (triggers included),
 * which is what the database alone costs.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createEmptyDatabase } from '../test/support/databases.js';
import { startServerProcess } from '../test/support/server-process.js';

const ROWS = Number(process.env.IMPORT_ROWS ?? 50_000);
const SECRET = 'bench-import-secret-long-enough-for-hs256-0123456789';
const POLL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const line = (text = '') => process.stdout.write(`${text}\n`);

/** The export: one header and ROWS rows, as a CRM writes them (CRLF, quoted where needed). */
function generateFile(rows: number): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const out = ['First Name,Last Name,Account Name,Phone,Mobile,Email,Description'];
  for (let i = 0; i < rows; i++) {
    // Distinct valid US numbers: 212-2xx-xxxx, in the formats people type.
    const n = i % 100 === 99 ? i - 50 : i; // 1% repeat an earlier number
    const exchange = 200 + Math.floor(n / 10_000);
    const subscriber = String(n % 10_000).padStart(4, '0');
    const formats = [`(212) ${exchange}-${subscriber}`, `212.${exchange}.${subscriber}`, `+1 212 ${exchange} ${subscriber}`, `212${exchange}${subscriber} x${i % 90 + 10}`];
    let phone = formats[i % formats.length] ?? '';
    let mobile = '';
    if (i % 10 === 3) [phone, mobile] = ['', phone.replace(/ x\d+$/, '')];
    if (i % 100 === 42) phone = '555-01'; // refused: too short
    const notes = i % 7 === 0 ? `Met at "Expo ${i % 12}", wants a call back,\nafter ${i % 28 + 1} March` : '';
    out.push([`First${i}`, `Last${i}`, `Account ${i % 500}, Inc.`, phone, mobile, `lead${i}@example.com`, notes].map(quote).join(','));
  }
  return `${out.join('\r\n')}\r\n`;
}

async function main() {
  line(`== lead import: ${ROWS.toLocaleString('en-US')} rows through POST /imports/leads on PostgreSQL`);
  line(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const database = await createEmptyDatabase('postgres');
  await database.db.close();
  const url = database.url ?? '';
  const dataDir = await mkdtemp(join(tmpdir(), 'dialer-bench-import-'));
  const server = await startServerProcess({ DATABASE_URL: url, JWT_SECRET: SECRET, DIALER_DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const { anonKey } = (await (await fetch(`${server.url}/config.json`)).json()) as { anonKey: string };
    const email = `bench-import-${Date.now()}@example.com`;
    const signUp = await fetch(`${server.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: anonKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery' }),
    });
    const { access_token: token } = (await signUp.json()) as { access_token: string };
    const headers = { apikey: anonKey, Authorization: `Bearer ${token}` };
    const call = async (name: string, body: unknown) => {
      const response = await fetch(`${server.url}/functions/v1/${name}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${name}: ${JSON.stringify(answer)}`);
      return answer;
    };

    const file = generateFile(ROWS);
    line(`file: ${(Buffer.byteLength(file) / 2 ** 20).toFixed(1)} MiB`);

    const runImport = async (label: string) => {
      const uploadStart = performance.now();
      const response = await fetch(`${server.url}/imports/leads?name=export.csv`, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/csv' }, body: file });
      const preview = (await response.json()) as { importId: string; rowCount: number; suggestedMapping: Record<string, string> };
      if (response.status !== 201) throw new Error(`upload: ${JSON.stringify(preview)}`);
      const uploadMs = performance.now() - uploadStart;
      const start = performance.now();
      await call('startLeadImport', { importId: preview.importId, mapping: preview.suggestedMapping, duplicates: 'skip' });
      let state: Record<string, number | string>;
      const progress: string[] = [];
      for (;;) {
        state = ((await call('getLeadImport', { importId: preview.importId })) as { import: Record<string, number | string> }).import;
        if (state.status === 'done' || state.status === 'failed') break;
        progress.push(String(state.processedRows));
        await sleep(POLL_MS);
      }
      const importMs = performance.now() - start;
      const { inserted, updated, skippedDuplicates, refused, totalRows, status } = state as Record<string, number>;
      if (status !== ('done' as unknown) || Number(inserted) + Number(updated) + Number(skippedDuplicates) + Number(refused) !== Number(totalRows)) {
        throw new Error(`${label}: rows not accounted for: ${JSON.stringify(state)}`);
      }
      line(`${label}: upload + preview ${seconds(uploadMs)} (${preview.rowCount} rows); import ${seconds(importMs)} = ${Math.round(ROWS / (importMs / 1000)).toLocaleString('en-US')} rows/s; ` +
        `inserted ${inserted}, skipped ${skippedDuplicates}, refused ${refused}; progress seen ${progress.length} times`);
      return uploadMs + importMs;
    };

    const first = await runImport('first import ');
    const again = await runImport('same file again');
    const [counted] = await sql<{ n: number }[]>`select count(*)::int as n from leads`;

    // Baseline: the database alone, the same number of leads by one INSERT (triggers included).
    const baselineStart = performance.now();
    await sql`
      insert into leads (user_email, name, phone, company, email, notes)
      select ${email}, 'Base ' || i, '+1213' || lpad((2000000 + i)::text, 7, '0'), 'Account', 'b' || i || '@example.com', null
      from generate_series(1, ${ROWS}::int) as i`;
    const baselineMs = performance.now() - baselineStart;

    line(`leads in the database after both imports: ${counted?.n}`);
    line(`baseline: ${ROWS.toLocaleString('en-US')} leads by one SQL insert: ${seconds(baselineMs)}`);
    line(`== ${ROWS.toLocaleString('en-US')}-row import: ${seconds(first)} end to end (upload, preview, import); re-import adding nothing: ${seconds(again)}; database alone: ${seconds(baselineMs)}`);
  } finally {
    await sql.end({ timeout: 5 });
    await server.stop('SIGTERM');
    await database.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

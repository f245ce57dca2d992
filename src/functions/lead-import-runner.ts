import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { columnIndexes, IMPORT_BATCH_ROWS, readLeadRow } from '../core/lead-import.js';
import { isCountryCode } from '../core/phone-number.js';
import { readCsv, type CsvEncoding } from '../core/read-csv.js';
import type { Database } from '../db/database.js';
import { applyBatch, claimStaleImport, findStaleImports, finishImport, readImport, readImportFile, type LeadImportRow } from '../db/lead-import.js';

/**
 * A runner that has not finished a batch for this long is taken for dead (its process was killed)
 * and its import is resumed by whichever process notices first, after the last committed batch.
 */
export const IMPORT_STALE_SECONDS = 30;
/** How often a process looks for imports a dead process left behind. */
export const IMPORT_SWEEP_MS = 15_000;

export interface LeadImportRunner {
  /** This process's runner id, written on the imports it runs. */
  readonly id: string;
  /** Runs a queued import this runner holds, in the background (returns at once). */
  run(importId: string): void;
  /** Resumes every import whose runner died; returns the ids taken over. */
  resumeStale(): Promise<string[]>;
  /** Resumes this import if its runner died (a reader asking about it); whether it was taken over. */
  resumeIfStale(importId: string): Promise<boolean>;
  /** Looks for stale imports now and every IMPORT_SWEEP_MS until stopped. */
  startSweeping(): void;
  /** Stops after each import's current batch (it stays `running`, for the next process to resume). */
  stop(): Promise<void>;
  /** Resolves when every import this runner is running has stopped (tests). */
  idle(): Promise<void>;
}

const runners = new WeakMap<Database, LeadImportRunner>();

/** The one runner of a database connection (so of a server process; tests' servers each have theirs). */
export function leadImportRunnerFor(db: Database, logger: Logger): LeadImportRunner {
  let runner = runners.get(db);
  if (!runner) {
    runner = createLeadImportRunner(db, logger);
    runners.set(db, runner);
  }
  return runner;
}

export function createLeadImportRunner(db: Database, logger: Logger, id: string = randomUUID()): LeadImportRunner {
  const running = new Map<string, Promise<void>>();
  let isStopping = false;
  let sweep: ReturnType<typeof setInterval> | undefined;

  async function fail(row: LeadImportRow, failure: string) {
    await finishImport(db, row.id, id, { status: 'failed', failure });
  }

  async function work(importId: string): Promise<void> {
    const row = await readImport(db, importId);
    if (!row || row.runner !== id || (row.status !== 'queued' && row.status !== 'running')) return;
    const log = logger.child({ importId, runner: id });
    let processed = row.processed_rows;
    try {
      const content = await readImportFile(db, importId);
      if (content === undefined) return void (await fail(row, 'The uploaded file is gone: upload it again.'));
      const table = readCsv({ text: content, encoding: row.encoding as CsvEncoding, hasBom: row.has_bom });
      if (!table.ok) return void (await fail(row, table.error.message));
      const { headers, records } = table.value;
      if (records.length !== row.total_rows || JSON.stringify(headers) !== JSON.stringify(row.headers) || !row.mapping) {
        return void (await fail(row, 'The stored file no longer reads as it did at upload: upload it again.'));
      }
      const columns = columnIndexes(row.mapping, headers);
      const country = row.default_country !== null && isCountryCode(row.default_country) ? row.default_country : 'US';
      if (processed > 0) log.info({ processed }, 'lead import resumed');
      while (processed < records.length) {
        if (isStopping) return;
        const batch = records.slice(processed, processed + IMPORT_BATCH_ROWS).map((record) => ({
          rowNumber: record.rowNumber,
          reading: readLeadRow(record.cells, columns, country),
        }));
        const counts = await applyBatch(db, { importId, runner: id, fromRow: processed, rows: batch });
        // Another process took the import over (this one was too slow to heartbeat): it carries on.
        if (!counts) return;
        processed += batch.length;
        // Other requests get the connection (PGlite has one) and the event loop between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await finishImport(db, importId, id, { status: 'done' });
      log.info({ rows: records.length }, 'lead import done');
    } catch (error) {
      if (isStopping) return;
      log.error({ err: error, processed }, 'lead import failed');
      const rowNumber = processed;
      await fail(row, `The import stopped on a server error after ${rowNumber} of ${row.total_rows} rows; the rows before were imported. Import the file again with duplicates skipped to add the rest.`).catch(
        (finishError: unknown) => log.error({ err: finishError }, 'could not mark the lead import failed'),
      );
    }
  }

  const runner: LeadImportRunner = {
    id,
    run(importId) {
      if (running.has(importId) || isStopping) return;
      const job = work(importId)
        .catch((error: unknown) => logger.error({ err: error, importId }, 'lead import runner failed'))
        .finally(() => running.delete(importId));
      running.set(importId, job);
    },
    async resumeStale() {
      const taken: string[] = [];
      for (const importId of await findStaleImports(db, IMPORT_STALE_SECONDS)) {
        if (await runner.resumeIfStale(importId)) taken.push(importId);
      }
      return taken;
    },
    async resumeIfStale(importId) {
      if (running.has(importId) || isStopping) return false;
      const claimed = await claimStaleImport(db, importId, id, IMPORT_STALE_SECONDS);
      if (claimed) runner.run(importId);
      return claimed !== undefined;
    },
    startSweeping() {
      if (sweep || isStopping) return;
      const look = () => void runner.resumeStale().catch((error: unknown) => logger.error({ err: error }, 'could not look for interrupted lead imports'));
      look();
      sweep = setInterval(look, IMPORT_SWEEP_MS);
      sweep.unref();
    },
    async stop() {
      isStopping = true;
      if (sweep) clearInterval(sweep);
      await runner.idle();
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
  };
  return runner;
}

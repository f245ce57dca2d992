import { useId, useState, type ChangeEvent } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { readLeadRows, type RowProblem } from '../lib/read-lead-rows.js';

export type ImportReport = { readonly imported: number; readonly problems: readonly RowProblem[] } | { readonly failure: string };

export const CSV_COLUMNS_HELP = 'A CSV file with a header row: name and phone, and optionally company, email and notes.';

/** Imports leads from a CSV file: good rows are added, bad rows come back in the report. */
const IMPORT_BATCH_SIZE = 1000;

export function CsvImportButton({ userEmail, onImported }: { userEmail: string; onImported(report: ImportReport): void }) {
  const supabase = useSupabase();
  const inputId = useId();
  const [isImporting, setImporting] = useState(false);

  async function importFile(file: File): Promise<ImportReport> {
    const reading = readLeadRows(await file.text());
    if (!reading.ok) return { failure: reading.message };
    // In batches: one statement holds at most 65,535 parameters, about 10,000 leads.
    for (let start = 0; start < reading.leads.length; start += IMPORT_BATCH_SIZE) {
      const batch = reading.leads.slice(start, start + IMPORT_BATCH_SIZE).map((lead) => ({ ...lead, user_email: userEmail }));
      const { error } = await supabase.from('leads').insert(batch);
      if (error) return { failure: `${start === 0 ? 'Nothing was imported' : `Only the first ${start} leads were imported`}: ${error.message}` };
    }
    return { imported: reading.leads.length, problems: reading.problems };
  }

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setImporting(true);
    const report = await importFile(file);
    setImporting(false);
    onImported(report);
  }

  return (
    <span className="csv-import">
      <label htmlFor={inputId} className="button button--secondary" title={CSV_COLUMNS_HELP}>
        {isImporting ? 'Importing…' : 'Import CSV'}
      </label>
      <input id={inputId} className="visually-hidden" type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e)} aria-description={CSV_COLUMNS_HELP} />
    </span>
  );
}

/** What an import did: how many leads were added, and each skipped row with its reason. */
export function ImportReportView({ report, onDismiss }: { report: ImportReport; onDismiss(): void }) {
  const hasProblems = 'failure' in report || report.problems.length > 0;
  return (
    <div className={`notice ${hasProblems ? 'notice--warn' : 'notice--good'}`} role="status" data-testid="import-report">
      <button type="button" className="button button--ghost button--small notice__close" onClick={onDismiss} aria-label="Dismiss import report">
        ✕
      </button>
      {'failure' in report ? (
        <p>{report.failure}</p>
      ) : (
        <>
          <p>
            Imported {report.imported} {report.imported === 1 ? 'lead' : 'leads'}.
            {report.problems.length > 0 && ` ${report.problems.length} ${report.problems.length === 1 ? 'row was' : 'rows were'} skipped:`}
          </p>
          {report.problems.length > 0 && (
            <ul className="import-problems">
              {report.problems.map((problem) => (
                <li key={problem.row}>
                  Row {problem.row}: {problem.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

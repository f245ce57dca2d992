import { useId, useState, type ChangeEvent } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { readLeadRows, type RowProblem } from '../lib/read-lead-rows.js';

type ImportReport = { readonly imported: number; readonly problems: readonly RowProblem[] } | { readonly failure: string };

/** Imports leads from a CSV file: good rows are added, bad rows are listed with the reason. */
export function CsvImport({ userEmail, onImported }: { userEmail: string; onImported(): void }) {
  const supabase = useSupabase();
  const inputId = useId();
  const [report, setReport] = useState<ImportReport | null>(null);
  const [isImporting, setImporting] = useState(false);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setImporting(true);
    setReport(null);
    const reading = readLeadRows(await file.text());
    if (!reading.ok) {
      setImporting(false);
      return setReport({ failure: reading.message });
    }
    if (reading.leads.length > 0) {
      const { error } = await supabase.from('leads').insert(reading.leads.map((lead) => ({ ...lead, user_email: userEmail })));
      if (error) {
        setImporting(false);
        return setReport({ failure: `Nothing was imported: ${error.message}` });
      }
    }
    setImporting(false);
    setReport({ imported: reading.leads.length, problems: reading.problems });
    onImported();
  }

  return (
    <div className="csv-import">
      <label htmlFor={inputId} className="button button--secondary">
        {isImporting ? 'Importing…' : 'Import CSV'}
      </label>
      <input id={inputId} className="visually-hidden" type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e)} aria-describedby={`${inputId}-help`} />
      <small id={`${inputId}-help`} className="muted">
        Columns: name, phone; optional company, email, notes.
      </small>
      {report && (
        <div className={`notice ${'failure' in report || report.problems.length > 0 ? 'notice--warn' : 'notice--good'}`} role="status" data-testid="import-report">
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
      )}
    </div>
  );
}

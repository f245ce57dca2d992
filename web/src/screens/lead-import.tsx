import { useEffect, useId, useState, type ChangeEvent } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { describeCountry } from '../lib/labels.js';
import {
  DUPLICATE_ACTIONS,
  getLeadImport,
  IMPORT_FIELD_LABEL,
  IMPORT_FIELDS,
  startLeadImport,
  uploadLeadFile,
  type DuplicateAction,
  type ImportField,
  type ImportMapping,
  type ImportProgress,
  type UploadedImport,
} from '../lib/import-api.js';
import type { LeadListRow } from '../lib/lists-api.js';

export type { UploadedImport };

/** How often the progress bar asks the server (getLeadImport). */
const POLL_MS = 500;

const DELIMITER_NAME: Readonly<Record<string, string>> = { ',': 'commas', ';': 'semicolons', '\t': 'tabs', '|': 'pipes' };
const DUPLICATE_LABEL: Readonly<Record<DuplicateAction, string>> = {
  skip: 'Skip them (importing the same file again adds nothing)',
  update: 'Update them with the file’s non-empty cells',
};

/** Uploads a CSV file to the server, which reads it and answers with a preview (nothing is imported yet). */
export function LeadImportButton({ onUploaded }: { onUploaded(upload: UploadedImport): void }) {
  const supabase = useSupabase();
  const inputId = useId();
  const [isUploading, setUploading] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setUploading(true);
    setError(null);
    const result = await uploadLeadFile(supabase, file);
    setUploading(false);
    if (result.ok) onUploaded(result.value);
    else setError(result.error);
  }

  return (
    <span className="csv-import">
      <label htmlFor={inputId} className="button button--secondary" title="A CSV export of any CRM or spreadsheet, with a header row">
        {isUploading ? 'Reading the file…' : 'Import CSV'}
      </label>
      <input id={inputId} className="visually-hidden" type="file" accept=".csv,.txt,text/csv" onChange={(e) => void onFile(e)} />
      {error && (
        <span className="form-error" role="alert" data-testid="import-error" data-code={error.code}>
          {error.message}
        </span>
      )}
    </span>
  );
}

type Stage = { kind: 'preview' } | { kind: 'starting' } | { kind: 'running'; progress: ImportProgress | null } | { kind: 'finished'; progress: ImportProgress };

/**
 * An uploaded file's import: the preview with the suggested mapping (each lead column chooses a
 * header of the file), the default country, what to do with duplicates and the list; then the
 * server imports it in the background with a progress bar, and every refused row is listed.
 */
export function LeadImportPanel({ upload, lists, onClose, onImported }: { upload: UploadedImport; lists: readonly LeadListRow[]; onClose(): void; onImported(): void }) {
  const supabase = useSupabase();
  const [mapping, setMapping] = useState<ImportMapping>(upload.suggestedMapping);
  const [country, setCountry] = useState(upload.defaultCountry);
  const [duplicates, setDuplicates] = useState<DuplicateAction>('skip');
  const [listId, setListId] = useState('');
  const [stage, setStage] = useState<Stage>({ kind: 'preview' });
  const [error, setError] = useState<string | null>(null);
  const ids = { country: useId(), list: useId(), title: useId() };
  const isRunning = stage.kind === 'running';

  useEffect(() => {
    if (!isRunning) return undefined;
    let isCurrent = true;
    const timer = setInterval(() => {
      void getLeadImport(supabase, upload.importId).then((result) => {
        if (!isCurrent) return;
        if (!result.ok) return setError(result.error.message);
        const { status } = result.value.import;
        if (status === 'done' || status === 'failed') {
          isCurrent = false;
          setStage({ kind: 'finished', progress: result.value });
          onImported();
        } else setStage({ kind: 'running', progress: result.value });
      });
    }, POLL_MS);
    return () => {
      isCurrent = false;
      clearInterval(timer);
    };
  }, [supabase, upload.importId, isRunning, onImported]);

  async function start() {
    setStage({ kind: 'starting' });
    setError(null);
    const chosen = Object.fromEntries(Object.entries(mapping).filter(([, header]) => header)) as ImportMapping;
    const result = await startLeadImport(supabase, { importId: upload.importId, mapping: chosen, defaultCountry: country.trim().toUpperCase(), duplicates, listId: listId || null });
    if (!result.ok) {
      setStage({ kind: 'preview' });
      return setError(result.error.message);
    }
    setStage({ kind: 'running', progress: null });
  }

  const delimiter = DELIMITER_NAME[upload.dialect.delimiter] ?? JSON.stringify(upload.dialect.delimiter);
  return (
    <section className="import-panel" aria-labelledby={ids.title} data-testid="import-panel">
      <header className="card__header">
        <h3 id={ids.title}>Import {upload.fileName}</h3>
        <button type="button" className="button button--ghost button--small" onClick={onClose} aria-label="Close the import" disabled={stage.kind === 'starting' || isRunning}>
          ✕
        </button>
      </header>
      <p className="muted" data-testid="import-summary">
        {upload.rowCount === 0
          ? 'The file has a header row and no rows: there is nothing to import.'
          : `${upload.rowCount.toLocaleString('en')} ${upload.rowCount === 1 ? 'row' : 'rows'}, cells separated by ${delimiter}${upload.dialect.sepLine ? ' (named by its sep= line)' : ''}.`}
      </p>
      {stage.kind === 'preview' || stage.kind === 'starting' ? (
        <>
          <fieldset className="import-mapping">
            <legend>Columns</legend>
            {IMPORT_FIELDS.map((field) => (
              <MappingSelect key={field} field={field} headers={upload.headers} value={mapping[field] ?? ''} onChange={(header) => setMapping((m) => ({ ...m, [field]: header }))} />
            ))}
          </fieldset>
          <div className="filters">
            <div className="field">
              <label htmlFor={ids.country}>Country of numbers without +</label>
              <input id={ids.country} value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} size={3} aria-describedby={`${ids.country}-hint`} />
              <small id={`${ids.country}-hint`} className="muted">
                {describeCountry(country.trim().toUpperCase())}
              </small>
            </div>
            <div className="field">
              <label htmlFor={ids.list}>Into list</label>
              <select id={ids.list} value={listId} onChange={(e) => setListId(e.target.value)}>
                <option value="">No list</option>
                {lists.map((list) => (
                  <option key={list.id} value={list.id}>
                    {list.name}
                  </option>
                ))}
              </select>
            </div>
            <fieldset className="field">
              <legend>Numbers already in your leads</legend>
              {DUPLICATE_ACTIONS.map((action) => (
                <label key={action} className="radio">
                  <input type="radio" name={`${ids.title}-duplicates`} value={action} checked={duplicates === action} onChange={() => setDuplicates(action)} />
                  {DUPLICATE_LABEL[action]}
                </label>
              ))}
            </fieldset>
          </div>
          <SampleRows upload={upload} />
          <button type="button" className="button button--primary" onClick={() => void start()} disabled={stage.kind === 'starting' || upload.rowCount === 0}>
            {stage.kind === 'starting' ? 'Starting…' : `Import ${upload.rowCount.toLocaleString('en')} ${upload.rowCount === 1 ? 'row' : 'rows'}`}
          </button>
        </>
      ) : stage.kind === 'running' ? (
        <ImportProgressBar progress={stage.progress} total={upload.rowCount} />
      ) : (
        <ImportResult progress={stage.progress} />
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function MappingSelect({ field, headers, value, onChange }: { field: ImportField; headers: readonly string[]; value: string; onChange(header: string): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{IMPORT_FIELD_LABEL[field]}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-field={field}>
        <option value="">— not imported —</option>
        {headers.map((header) => (
          <option key={header} value={header}>
            {header}
          </option>
        ))}
      </select>
    </div>
  );
}

function SampleRows({ upload }: { upload: UploadedImport }) {
  if (upload.sampleRows.length === 0) return null;
  return (
    <div className="table-scroll">
      <table className="table" aria-label="First rows of the file">
        <thead>
          <tr>
            {upload.headers.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {upload.sampleRows.slice(0, 5).map((row, index) => (
            <tr key={index}>
              {upload.headers.map((header, column) => (
                <td key={header}>{row[column] ?? ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImportProgressBar({ progress, total }: { progress: ImportProgress | null; total: number }) {
  const done = progress?.import.processedRows ?? 0;
  const of = progress?.import.totalRows || total;
  return (
    <div className="import-progress">
      <progress max={of} value={done} aria-label="Import progress" data-testid="import-progress" />
      <p className="muted" role="status">
        {progress ? `${done.toLocaleString('en')} of ${of.toLocaleString('en')} rows read…` : 'Queued…'}
      </p>
    </div>
  );
}

/** What the import did, and every refused row with its row number and reason (the first 500 listed). */
function ImportResult({ progress }: { progress: ImportProgress }) {
  const { import: result, errors, errorCount } = progress;
  const isFailed = result.status === 'failed';
  return (
    <div className={`notice ${isFailed || errorCount > 0 ? 'notice--warn' : 'notice--good'}`} role="status" data-testid="import-report">
      {isFailed ? (
        <p>The import stopped: {result.failure ?? 'the server could not finish it.'}</p>
      ) : (
        <p data-testid="import-counts" data-inserted={result.inserted} data-updated={result.updated} data-skipped={result.skippedDuplicates} data-refused={result.refused}>
          Imported {result.inserted.toLocaleString('en')} new {result.inserted === 1 ? 'lead' : 'leads'}
          {result.updated > 0 ? `, updated ${result.updated.toLocaleString('en')}` : ''}; {result.skippedDuplicates.toLocaleString('en')} already there
          {result.refused > 0 ? `; ${result.refused.toLocaleString('en')} ${result.refused === 1 ? 'row' : 'rows'} refused:` : '.'}
        </p>
      )}
      {errors.length > 0 && (
        <ul className="import-problems">
          {errors.map((problem) => (
            <li key={`${problem.rowNumber}-${problem.message}`}>{problem.message}</li>
          ))}
        </ul>
      )}
      {errorCount > errors.length && <p className="muted">…and {(errorCount - errors.length).toLocaleString('en')} more refused rows.</p>}
    </div>
  );
}

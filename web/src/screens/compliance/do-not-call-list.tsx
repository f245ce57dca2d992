import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useSupabase } from '../../../../src/client/use-call-subscription.js';
import { Pager } from '../../components/pager.js';
import { addDoNotCallNumbers, fetchDncPage, removeDoNotCallNumber, uploadDoNotCallFile, type DncRow } from '../../lib/compliance-api.js';
import { formatDateTime } from '../../lib/format.js';
import { useSettled } from '../../lib/use-settled.js';

const PAGE_SIZE = 50;
const count = new Intl.NumberFormat('en');

const SOURCE_LABEL: Readonly<Record<string, string>> = {
  manual: 'Added by hand',
  import: 'Imported file',
  registry: 'National registry',
  disposition: 'Do-not-call disposition',
  lead_status: 'Lead marked do not call',
  opt_out: 'Callee pressed the opt-out key',
};

type Outcome = { tone: 'good' | 'bad'; text: string; problems?: readonly string[] };

/** Numbers typed or pasted: one per line, or separated by commas or semicolons. */
const splitNumbers = (text: string) =>
  text
    .split(/[\n,;]+/)
    .map((n) => n.trim())
    .filter((n) => n !== '');

/** Adds numbers by hand and imports a file of them (a CSV, a TXT, or the national registry's download). */
function AddNumbers({ onAdded }: { onAdded(): void }) {
  const supabase = useSupabase();
  const [numbers, setNumbers] = useState('');
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [isBusy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const ids = { numbers: useId(), note: useId(), file: useId() };

  async function add() {
    const list = splitNumbers(numbers);
    if (list.length === 0) return setOutcome({ tone: 'bad', text: 'Enter one or more numbers.' });
    if (list.length > 1000) return setOutcome({ tone: 'bad', text: 'At most 1,000 numbers at once; import a file for more.' });
    setBusy(true);
    const result = await addDoNotCallNumbers(supabase, list, note.trim() || undefined);
    setBusy(false);
    if (!result.ok) return setOutcome({ tone: 'bad', text: result.error.message });
    const { added, alreadyListed, invalid } = result.value;
    setOutcome({
      tone: invalid.length > 0 ? 'bad' : 'good',
      text: `Added ${count.format(added)}; ${count.format(alreadyListed)} already listed; ${count.format(invalid.length)} not valid.`,
      problems: invalid.map((item) => `${item.input}: ${item.message}`),
    });
    if (invalid.length === 0) {
      setNumbers('');
      setNote('');
    }
    onAdded();
  }

  async function importFile(file: File) {
    setBusy(true);
    setOutcome(null);
    const result = await uploadDoNotCallFile(supabase, file);
    setBusy(false);
    if (fileInput.current) fileInput.current.value = '';
    if (!result.ok) return setOutcome({ tone: 'bad', text: result.error.message });
    const { added, alreadyListed, invalid, errors } = result.value;
    setOutcome({
      tone: invalid > 0 ? 'bad' : 'good',
      text: `${file.name}: added ${count.format(added)}; ${count.format(alreadyListed)} already listed; ${count.format(invalid)} not valid.`,
      problems: errors.map((item) => `Row ${item.row}: ${item.input ? `${item.input}: ` : ''}${item.message}`),
    });
    onAdded();
  }

  return (
    <form
      className="dnc-add"
      aria-label="Add to the do-not-call list"
      onSubmit={(event) => {
        event.preventDefault();
        void add();
      }}
    >
      <div className="dnc-add__fields">
        <div className="field">
          <label htmlFor={ids.numbers}>Numbers to add</label>
          <textarea id={ids.numbers} rows={3} value={numbers} onChange={(e) => setNumbers(e.target.value)} placeholder="One per line, in any format" />
        </div>
        <div className="field">
          <label htmlFor={ids.note}>Note</label>
          <input id={ids.note} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder="optional, e.g. asked by email" />
        </div>
      </div>
      <div className="toolbar">
        <button type="submit" className="button button--primary button--small" disabled={isBusy}>
          Add numbers
        </button>
        <label htmlFor={ids.file} className="button button--secondary button--small">
          Import a file
        </label>
        <input
          id={ids.file}
          ref={fileInput}
          type="file"
          accept=".csv,.txt,text/csv,text/plain"
          className="visually-hidden"
          aria-label="Import a file of numbers"
          disabled={isBusy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importFile(file);
          }}
        />
        {isBusy && <span className="muted">Working…</span>}
      </div>
      <small className="muted">A CSV or text file with numbers in any column, or the National Do Not Call Registry’s download.</small>
      {outcome && (
        <div className={`notice ${outcome.tone === 'good' ? 'notice--good' : 'notice--warn'}`} role="status" data-testid="dnc-outcome">
          <p>{outcome.text}</p>
          {outcome.problems && outcome.problems.length > 0 && (
            <ul className="import-problems">
              {outcome.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}

/** Removing a number needs a reason; it is recorded in the compliance log with who removed it. */
function RemoveNumber({ row, onDone }: { row: DncRow; onDone(removed: boolean): void }) {
  const supabase = useSupabase();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reasonId = useId();
  async function remove() {
    if (reason.trim() === '') return setError('Say why the number may be called again.');
    const result = await removeDoNotCallNumber(supabase, row.phone_number, reason.trim());
    if (!result.ok) return setError(result.error.message);
    onDone(result.value.removed);
  }
  return (
    <form
      className="toolbar"
      aria-label={`Remove ${row.phone_number}`}
      onSubmit={(event) => {
        event.preventDefault();
        void remove();
      }}
    >
      <div className="field">
        <label htmlFor={reasonId}>Reason for removing</label>
        <input id={reasonId} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} required />
      </div>
      <button type="submit" className="button button--danger button--small">
        Confirm removal
      </button>
      <button type="button" className="button button--ghost button--small" onClick={() => onDone(false)}>
        Cancel
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** The workspace's do-not-call list, searched and paged on the server with its total. */
export function DoNotCallList({ canRemove }: { canRemove: boolean }) {
  const supabase = useSupabase();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<DncRow[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const searchId = useId();
  const settled = useSettled(search, 250);
  useEffect(() => setPage(0), [settled]);

  const load = useCallback(async () => {
    const result = await fetchDncPage(supabase, { search: settled, page, pageSize: PAGE_SIZE });
    if (!result.ok) {
      if (page > 0 && result.code === 'PGRST103') return setPage(0);
      return setError(`Could not load the do-not-call list: ${result.message}`);
    }
    setError(null);
    setRows(result.rows);
    setTotal(result.total);
  }, [supabase, settled, page]);
  useEffect(() => {
    void load();
  }, [load, version]);

  return (
    <section aria-label="Do-not-call list">
      <AddNumbers onAdded={() => setVersion((v) => v + 1)} />
      <div className="filters">
        <div className="field">
          <label htmlFor={searchId}>Search numbers</label>
          <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Digits of a number" />
        </div>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {rows === null ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="empty">{settled.trim() ? 'No listed number matches.' : 'The do-not-call list is empty.'}</p>
      ) : (
        <table className="table table--cards" aria-label="Do-not-call numbers">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">How</th>
              <th scope="col">Who</th>
              <th scope="col">When</th>
              <th scope="col">Note</th>
              {canRemove && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.phone_number} data-testid="dnc-row" data-number={row.phone_number}>
                <td data-label="Number" className="strong">
                  {row.phone_number}
                </td>
                <td data-label="How">{SOURCE_LABEL[row.source] ?? row.source}</td>
                <td data-label="Who">{row.user_email}</td>
                <td data-label="When">{formatDateTime(row.created_at)}</td>
                <td data-label="Note" className="notes-cell">
                  {row.note ?? '—'}
                </td>
                {canRemove && (
                  <td data-label="Actions">
                    {removing === row.phone_number ? (
                      <RemoveNumber
                        row={row}
                        onDone={(removed) => {
                          setRemoving(null);
                          if (removed) setVersion((v) => v + 1);
                        }}
                      />
                    ) : (
                      <button type="button" className="button button--ghost button--small" onClick={() => setRemoving(row.phone_number)} aria-label={`Remove ${row.phone_number}`}>
                        Remove
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pageSize={PAGE_SIZE} total={total} label="Do-not-call list" onPage={setPage} />
    </section>
  );
}

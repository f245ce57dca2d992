import { Fragment, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { CALL_STATUSES, STATUS_DISPLAY, TERMINAL_STATUSES, type TerminalStatus } from '../../../src/core/call-status.js';
import { DISPOSITIONS, type CallLog } from '../../../src/core/rows.js';
import { DispositionForm } from '../components/disposition-form.js';
import { ExportButton } from '../components/export-button.js';
import { Pager } from '../components/pager.js';
import { RepFilter } from '../components/rep-filter.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatDateTime, formatDuration } from '../lib/format.js';
import { fetchHistoryPage, type DispositionFilter } from '../lib/history-query.js';
import { DISPOSITION_LABEL } from '../lib/labels.js';
import { startOfLocalDay } from '../lib/report-api.js';
import { seesWorkspace } from '../lib/team-api.js';
import { useMemberEmails } from '../lib/use-member-emails.js';
import { useSettled } from '../lib/use-settled.js';
import { useFilteredTableChanges } from '../lib/use-table-changes.js';
import { useWorkspace } from '../lib/workspace-context.js';

const isOutcome = (value: string): value is TerminalStatus => (TERMINAL_STATUSES as readonly string[]).includes(value);
const isDispositionFilter = (value: string): value is DispositionFilter => value === 'none' || (DISPOSITIONS as readonly string[]).includes(value);
const PAGE_SIZE = 50;

/**
 * Finished calls, newest first, searched by lead name or (a number) the number called, filtered
 * by outcome, disposition, dates and (managers and admins) rep; searched, filtered and paged on
 * the server with the total (LS1), and exported whole as CSV by the server.
 */
export function HistoryScreen({ userEmail }: { userEmail: string }) {
  const supabase = useSupabase();
  const { info, role } = useWorkspace();
  const isManager = seesWorkspace(role);
  const emails = useMemberEmails(isManager ? (info?.workspace.id ?? null) : null);
  const [logs, setLogs] = useState<CallLog[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [page, setPage] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [outcome, setOutcome] = useState<TerminalStatus | ''>('');
  const [disposition, setDisposition] = useState<DispositionFilter>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rep, setRep] = useState('');
  /** The history row whose disposition is being set or corrected. */
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const ids = { search: useId(), outcome: useId(), disposition: useId(), from: useId(), to: useId() };
  // Managers and admins see the whole workspace (or one rep); a rep sees their own calls.
  const shownRep = isManager ? rep : userEmail;

  const settledSearch = useSettled(search, 250);
  // A new search starts on the first page.
  useEffect(() => setPage(0), [settledSearch]);

  const query = useMemo(
    () => ({
      search: settledSearch,
      outcome,
      disposition,
      userEmail: shownRep,
      endedFrom: from === '' ? '' : startOfLocalDay(from),
      endedBefore: to === '' ? '' : startOfLocalDay(to, 1),
      page,
      pageSize: PAGE_SIZE,
    }),
    [settledSearch, outcome, disposition, shownRep, from, to, page],
  );
  const load = useCallback(async () => {
    const result = await fetchHistoryPage(supabase, query);
    if (!result.ok) {
      // The list shrank under the page being read (PGRST103): go back to the first page.
      if (query.page > 0 && result.code === 'PGRST103') return setPage(0);
      return setError(`Could not load the call history: ${result.message}`);
    }
    setError(null);
    setLogs(result.logs);
    setTotal(result.total);
  }, [supabase, query]);

  useEffect(() => {
    void load();
  }, [load]);
  useFilteredTableChanges('call_logs', isManager && info ? `workspace_id=eq.${info.workspace.id}` : `user_email=eq.${userEmail}`, () => void load());
  const filter = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    setPage(0);
  };

  return (
    <section className="card" aria-labelledby="history-title">
      <header className="card__header">
        <h2 id="history-title">Call history</h2>
        <ExportButton kind="history" from={from ? startOfLocalDay(from) : undefined} to={to ? startOfLocalDay(to, 1) : undefined} userEmail={shownRep || undefined} />
      </header>
      <div className="filters">
        <div className="field">
          <label htmlFor={ids.search}>Search</label>
          <input id={ids.search} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Lead name or number" />
        </div>
        <div className="field">
          <label htmlFor={ids.outcome}>Outcome</label>
          <select id={ids.outcome} value={outcome} onChange={(e) => filter(setOutcome)(isOutcome(e.target.value) ? e.target.value : '')}>
            <option value="">All outcomes</option>
            {CALL_STATUSES.filter(isOutcome).map((s) => (
              <option key={s} value={s}>
                {STATUS_DISPLAY[s].label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.disposition}>Disposition</label>
          <select id={ids.disposition} value={disposition} onChange={(e) => filter(setDisposition)(isDispositionFilter(e.target.value) ? e.target.value : '')}>
            <option value="">All dispositions</option>
            <option value="none">None yet</option>
            {DISPOSITIONS.map((d) => (
              <option key={d} value={d}>
                {DISPOSITION_LABEL[d]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="date" value={from} onChange={(e) => filter(setFrom)(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="date" value={to} onChange={(e) => filter(setTo)(e.target.value)} />
        </div>
        {isManager && <RepFilter emails={emails} value={rep} onChange={filter(setRep)} />}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <p className="notice notice--good" role="status">
          {saved}
        </p>
      )}
      {logs === null ? (
        <p className="muted">Loading…</p>
      ) : logs.length === 0 ? (
        <p className="empty">No calls{settledSearch.trim() || outcome || disposition || from || to || rep ? ' match these filters' : ' yet'}.</p>
      ) : (
        <table className="table table--cards" aria-label="Call history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Outcome</th>
              <th scope="col">Duration</th>
              <th scope="col">Disposition</th>
              <th scope="col">Notes</th>
              <th scope="col">Recording</th>
            </tr>
          </thead>
          <tbody>
            {logs.map((log) => (
              <Fragment key={log.id}>
              <tr data-testid="history-row">
                <td data-label="When">{formatDateTime(log.started_at)}</td>
                <td data-label="Who">
                  <span className="strong">{log.lead_name ?? log.to_number ?? '—'}</span>
                  {log.lead_name && log.to_number && <span className="muted block">{log.to_number}</span>}
                  <span className="muted block">Line {log.line_number ?? '—'}{log.is_mock ? ' · simulated' : ''}</span>
                  {isManager && <span className="muted block" data-testid="history-rep">{log.user_email}</span>}
                </td>
                <td data-label="Outcome">
                  <StatusBadge status={log.outcome} />
                  {log.last_error && <span className="muted block">{log.last_error}</span>}
                </td>
                <td data-label="Duration">{formatDuration(log.talk_seconds)}</td>
                <td data-label="Disposition">
                  {log.disposition ? DISPOSITION_LABEL[log.disposition] : '—'}
                  {log.callback_at && <span className="muted block">Call back {formatDateTime(log.callback_at)}</span>}
                  {log.active_call_id && isOutcome(log.outcome) && (
                    <button type="button" className="button button--ghost button--small" onClick={() => setEditing(editing === log.id ? null : log.id)} aria-expanded={editing === log.id}>
                      {log.disposition ? 'Change' : 'Set'}
                    </button>
                  )}
                </td>
                <td data-label="Notes" className="notes-cell">
                  {log.notes ?? '—'}
                </td>
                <td data-label="Recording">
                  {log.recording_url ? (
                    <a href={log.recording_url} target="_blank" rel="noreferrer">
                      Listen
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
              {editing === log.id && log.active_call_id && isOutcome(log.outcome) && (
                <tr className="table__detail">
                  <td colSpan={7}>
                    <DispositionForm
                      callId={log.active_call_id}
                      outcome={log.outcome}
                      initial={{ disposition: log.disposition, notes: log.notes }}
                      onSaved={(message) => {
                        setEditing(null);
                        setSaved(message);
                        void load();
                      }}
                    />
                  </td>
                </tr>
              )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pageSize={PAGE_SIZE} total={total} label="Call history" onPage={setPage} />
    </section>
  );
}

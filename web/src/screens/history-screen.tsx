import { Fragment, useCallback, useEffect, useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { CALL_STATUSES, STATUS_DISPLAY, TERMINAL_STATUSES, type TerminalStatus } from '../../../src/core/call-status.js';
import type { CallLog } from '../../../src/core/rows.js';
import { DispositionForm } from '../components/disposition-form.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatDateTime, formatDuration } from '../lib/format.js';
import { DISPOSITION_LABEL } from '../lib/labels.js';
import { useTableChanges } from '../lib/use-table-changes.js';

const isOutcome = (value: string): value is TerminalStatus => (TERMINAL_STATUSES as readonly string[]).includes(value);
const PAGE_SIZE = 200;

/** A day picked in a date field, as the start of that local day in ISO form. */
const startOfDay = (day: string, plusDays = 0) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plusDays).toISOString();
};

/** The user's finished calls, newest first, filtered by outcome and date. */
export function HistoryScreen({ userEmail }: { userEmail: string }) {
  const supabase = useSupabase();
  const [logs, setLogs] = useState<CallLog[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<TerminalStatus | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  /** The history row whose disposition is being set or corrected. */
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const ids = { outcome: useId(), from: useId(), to: useId() };

  const load = useCallback(async () => {
    let query = supabase.from('call_logs').select('*').eq('user_email', userEmail);
    if (outcome !== '') query = query.eq('outcome', outcome);
    if (from !== '') query = query.gte('started_at', startOfDay(from));
    if (to !== '') query = query.lt('started_at', startOfDay(to, 1));
    const { data, error: loadError } = await query.order('ended_at', { ascending: false }).limit(PAGE_SIZE);
    if (loadError) return setError(`Could not load your call history: ${loadError.message}`);
    setError(null);
    setLogs(data as CallLog[]);
  }, [supabase, userEmail, outcome, from, to]);

  useEffect(() => {
    void load();
  }, [load]);
  useTableChanges('call_logs', userEmail, () => void load());

  return (
    <section className="card" aria-labelledby="history-title">
      <header className="card__header">
        <h2 id="history-title">Call history</h2>
      </header>
      <div className="filters">
        <div className="field">
          <label htmlFor={ids.outcome}>Outcome</label>
          <select id={ids.outcome} value={outcome} onChange={(e) => setOutcome(isOutcome(e.target.value) ? e.target.value : '')}>
            <option value="">All outcomes</option>
            {CALL_STATUSES.filter(isOutcome).map((s) => (
              <option key={s} value={s}>
                {STATUS_DISPLAY[s].label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
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
        <p className="empty">No calls{outcome || from || to ? ' match these filters' : ' yet'}.</p>
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
    </section>
  );
}

import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useSupabase } from '../../../../src/client/use-call-subscription.js';
import { ExportButton } from '../../components/export-button.js';
import { Pager } from '../../components/pager.js';
import { RepFilter } from '../../components/rep-filter.js';
import {
  COMPLIANCE_EVENT_KINDS,
  COMPLIANCE_EVENT_LABEL,
  fetchComplianceLogPage,
  isComplianceEventKind,
  REFUSAL_CODE_LABEL,
  REFUSAL_CODES,
  type ComplianceEventKind,
  type ComplianceEventRow,
} from '../../lib/compliance-api.js';
import { formatDateTime } from '../../lib/format.js';
import { startOfLocalDay } from '../../lib/report-api.js';
import { goToPath } from '../../lib/use-route.js';
import { useMemberEmails } from '../../lib/use-member-emails.js';
import { useWorkspace } from '../../lib/workspace-context.js';

const PAGE_SIZE = 50;

const codeLabel = (code: string | null) => (code ? ((REFUSAL_CODE_LABEL as Readonly<Record<string, string>>)[code] ?? code) : null);

/**
 * Every refused dial, abandoned call and do-not-call change of the workspace, newest first,
 * filtered and paged on the server with the total, and exported whole as CSV by the server.
 */
export function ComplianceLog() {
  const supabase = useSupabase();
  const { info } = useWorkspace();
  const emails = useMemberEmails(info?.workspace.id ?? null);
  const [kind, setKind] = useState<ComplianceEventKind | ''>('');
  const [code, setCode] = useState('');
  const [rep, setRep] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<ComplianceEventRow[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = { kind: useId(), code: useId(), from: useId(), to: useId() };

  const query = useMemo(
    () => ({ kind, code, userEmail: rep, from: from ? startOfLocalDay(from) : '', to: to ? startOfLocalDay(to, 1) : '', page, pageSize: PAGE_SIZE }),
    [kind, code, rep, from, to, page],
  );
  const load = useCallback(async () => {
    const result = await fetchComplianceLogPage(supabase, query);
    if (!result.ok) {
      if (query.page > 0 && result.code === 'PGRST103') return setPage(0);
      return setError(`Could not load the compliance log: ${result.message}`);
    }
    setError(null);
    setRows(result.rows);
    setTotal(result.total);
  }, [supabase, query]);
  useEffect(() => {
    void load();
  }, [load]);
  const filter = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    setPage(0);
  };
  const isFiltered = kind !== '' || code !== '' || rep !== '' || from !== '' || to !== '';

  return (
    <section aria-label="Compliance log">
      <div className="section-head">
        <p className="muted">Every refused dial, abandoned call and do-not-call change, with the rule that decided and who acted.</p>
        <span className="toolbar">
          <button type="button" className="button button--ghost button--small" onClick={() => void load()}>
            Refresh
          </button>
          <ExportButton
            kind="compliance"
            from={query.from || undefined}
            to={query.to || undefined}
            userEmail={rep || undefined}
            filters={{ eventKind: kind || undefined, code: code || undefined }}
          />
        </span>
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor={ids.kind}>Event</label>
          <select id={ids.kind} value={kind} onChange={(e) => filter(setKind)(isComplianceEventKind(e.target.value) ? e.target.value : '')}>
            <option value="">All events</option>
            {COMPLIANCE_EVENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {COMPLIANCE_EVENT_LABEL[k]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.code}>Reason</label>
          <select id={ids.code} value={code} onChange={(e) => filter(setCode)(e.target.value)}>
            <option value="">All reasons</option>
            {REFUSAL_CODES.map((c) => (
              <option key={c} value={c}>
                {REFUSAL_CODE_LABEL[c]}
              </option>
            ))}
          </select>
        </div>
        <RepFilter emails={emails} value={rep} onChange={filter(setRep)} />
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="date" value={from} onChange={(e) => filter(setFrom)(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="date" value={to} onChange={(e) => filter(setTo)(e.target.value)} />
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
        <p className="empty">{isFiltered ? 'No entries match these filters.' : 'Nothing recorded yet.'}</p>
      ) : (
        <table className="table table--cards" aria-label="Compliance log entries">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Number</th>
              <th scope="col">Who</th>
              <th scope="col">Rule</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="compliance-event" data-kind={row.kind} data-code={row.code ?? ''}>
                <td data-label="When">{formatDateTime(row.created_at)}</td>
                <td data-label="What">
                  <span className="strong">{COMPLIANCE_EVENT_LABEL[row.kind] ?? row.kind}</span>
                  {row.code && <span className="muted block">{codeLabel(row.code)}</span>}
                </td>
                <td data-label="Number">
                  {row.phone_number ?? '—'}
                  {row.lead_id && (
                    <a
                      className="block"
                      href={`/leads/${row.lead_id}`}
                      onClick={(event) => {
                        event.preventDefault();
                        goToPath(`/leads/${row.lead_id}`);
                      }}
                    >
                      Open the lead
                    </a>
                  )}
                </td>
                <td data-label="Who">{row.user_email}</td>
                <td data-label="Rule">
                  <code>{row.rule ?? '—'}</code>
                </td>
                <td data-label="Message" className="notes-cell">
                  {row.message}
                  {Object.keys(row.details).length > 0 && (
                    <details className="event-facts">
                      <summary>Facts</summary>
                      <pre>{JSON.stringify(row.details, null, 2)}</pre>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pageSize={PAGE_SIZE} total={total} label="Compliance log" onPage={setPage} />
    </section>
  );
}

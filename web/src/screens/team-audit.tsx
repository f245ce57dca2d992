import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { AUDIT_ACTIONS, type AuditAction } from '../../../src/core/workspace.js';
import { Pager, pageRange } from '../components/pager.js';
import { formatDateTime } from '../lib/format.js';
import { AUDIT_ACTION_LABEL } from '../lib/labels.js';
import type { AuditRow } from '../lib/team-api.js';
import { useFilteredTableChanges } from '../lib/use-table-changes.js';

const PAGE_SIZE = 25;
const isAuditAction = (action: string): action is AuditAction => (AUDIT_ACTIONS as readonly string[]).includes(action);

/** What the details of an entry say, as `key: value` pairs (a role change's from and to, a call's id). */
const describeDetails = (details: Record<string, unknown>) =>
  Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');

/** Who did what, when: the workspace's audit log, newest first, paged on the server. `version` reloads it. */
export function TeamAudit({ workspaceId, version }: { workspaceId: string; version: number }) {
  const supabase = useSupabase();
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const [from, to] = pageRange(page, PAGE_SIZE);
    const { data, count, error: readError } = await supabase
      .from('audit_log')
      .select('*', { count: 'exact' })
      .order('created_at', { ascending: false })
      .order('id', { ascending: false })
      .range(from, to);
    if (readError) return setError(`Could not load the audit log: ${readError.message}`);
    setError(null);
    setRows(data as AuditRow[]);
    setTotal(count ?? null);
  }, [supabase, page]);
  useEffect(() => {
    void load();
  }, [load, version]);
  // The log is not a realtime table; members' changes (a join, a role) come with an entry.
  useFilteredTableChanges('workspace_members', `workspace_id=eq.${workspaceId}`, () => void load());

  return (
    <section aria-labelledby="audit-title">
      <div className="section-head">
        <h3 id="audit-title" className="section-title">
          Audit log
        </h3>
        <button type="button" className="button button--ghost button--small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {rows === null ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="empty">Nothing recorded yet.</p>
      ) : (
        <table className="table table--cards" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Whom</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="audit-row" data-action={row.action}>
                <td data-label="When">{formatDateTime(row.created_at)}</td>
                <td data-label="Who">{row.user_email}</td>
                <td data-label="What">{isAuditAction(row.action) ? AUDIT_ACTION_LABEL[row.action] : row.action}</td>
                <td data-label="Whom">{row.target ?? '—'}</td>
                <td data-label="Details" className="notes-cell">
                  {describeDetails(row.details) || '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pageSize={PAGE_SIZE} total={total} label="Audit log" onPage={setPage} />
    </section>
  );
}

import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { CallLog, Lead } from '../../../src/core/rows.js';
import { DialerModal } from '../components/dialer-modal.js';
import { Pager, pageRange } from '../components/pager.js';
import { LeadStatusBadge, StatusBadge } from '../components/status-badge.js';
import { formatDateTime, formatDuration } from '../lib/format.js';
import { DISPOSITION_LABEL } from '../lib/labels.js';
import { leadPlace } from '../lib/lead-place.js';
import { bulkUpdateLeads, SKIP_REASON_LABEL, useLeadLists } from '../lib/lists-api.js';
import { goToPath } from '../lib/use-route.js';
import { useFilteredTableChanges } from '../lib/use-table-changes.js';
import { LeadForm } from './lead-form.js';

const CALLS_PAGE_SIZE = 20;

/** One lead: its details (edit, delete, call), its next callback, and its calls with their notes. */
export function LeadPage({ leadId, userEmail }: { leadId: string; userEmail: string }) {
  const supabase = useSupabase();
  const { lists } = useLeadLists();
  const [lead, setLead] = useState<Lead | null | undefined>(undefined);
  const [calls, setCalls] = useState<CallLog[]>([]);
  const [callsTotal, setCallsTotal] = useState<number | null>(null);
  const [callsPage, setCallsPage] = useState(0);
  const [isEditing, setEditing] = useState(false);
  const [isCalling, setCalling] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const [first, last] = pageRange(callsPage, CALLS_PAGE_SIZE);
    const [leadResult, callsResult] = await Promise.all([
      supabase.from('leads').select('*').eq('id', leadId).maybeSingle(),
      supabase.from('call_logs').select('*', { count: 'exact' }).eq('lead_id', leadId).order('ended_at', { ascending: false, nullsFirst: false }).order('id').range(first, last),
    ]);
    if (leadResult.error) return setError(`Could not load the lead: ${leadResult.error.message}`);
    setLead((leadResult.data as Lead | null) ?? null);
    if (callsResult.error) return setError(`Could not load the lead’s calls: ${callsResult.error.message}`);
    setCalls(callsResult.data as CallLog[]);
    setCallsTotal(callsResult.count ?? null);
  }, [supabase, leadId, callsPage]);

  useEffect(() => {
    void load();
  }, [load]);
  useFilteredTableChanges('leads', `id=eq.${leadId}`, () => void load());
  useFilteredTableChanges('call_logs', `lead_id=eq.${leadId}`, () => void load());

  async function remove(current: Lead) {
    if (!window.confirm(`Delete ${current.name}? The calls made to this lead stay in History.`)) return;
    const result = await bulkUpdateLeads(supabase, [current.id], { action: 'delete' });
    if (!result.ok) return setError(result.error.message);
    const skip = result.value.skipped[0];
    if (skip) return setError(`Not deleted: ${SKIP_REASON_LABEL[skip.reason] ?? skip.reason}.`);
    goToPath('/leads');
  }

  const back = (
    <a
      href="/leads"
      className="button button--ghost button--small"
      onClick={(event) => {
        event.preventDefault();
        goToPath('/leads');
      }}
    >
      ← All leads
    </a>
  );
  if (lead === undefined) return <p className="muted">Loading…</p>;
  if (lead === null) {
    return (
      <section className="card" aria-label="Lead">
        {back}
        <p className="empty">{error ?? 'This lead does not exist, or is not one you can see.'}</p>
      </section>
    );
  }
  const list = lists.find((l) => l.id === lead.list_id);
  const isCallbackDue = lead.callback_at !== null && Date.parse(lead.callback_at) <= Date.now();
  return (
    <section className="card" aria-labelledby="lead-title" data-testid="lead-page">
      {back}
      <header className="card__header">
        <h2 id="lead-title">{lead.name}</h2>
        <div className="toolbar">
          <button type="button" className="button button--call" onClick={() => setCalling(true)} aria-label={`Call ${lead.name}`}>
            Call
          </button>
          <button type="button" className="button button--secondary" onClick={() => setEditing((e) => !e)} aria-expanded={isEditing}>
            {isEditing ? 'Close' : 'Edit'}
          </button>
          <button type="button" className="button button--danger" onClick={() => void remove(lead)}>
            Delete
          </button>
        </div>
      </header>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {isEditing ? (
        <LeadForm
          key={lead.updated_at}
          userEmail={userEmail}
          lead={lead}
          onSaved={() => {
            setEditing(false);
            void load();
          }}
        />
      ) : (
        <dl className="lead-facts">
          <dt>Phone</dt>
          <dd data-testid="lead-phone">
            {lead.phone}
            {lead.extension ? ` ext. ${lead.extension}` : ''}
          </dd>
          <dt>Where</dt>
          <dd data-testid="lead-place">{leadPlace(lead) ?? 'From the number'}</dd>
          <dt>Company</dt>
          <dd>{lead.company ?? '—'}</dd>
          <dt>Email</dt>
          <dd>{lead.email ?? '—'}</dd>
          <dt>Status</dt>
          <dd>
            <LeadStatusBadge status={lead.status} />
          </dd>
          <dt>List</dt>
          <dd>{list ? list.name : '—'}</dd>
          <dt>Owner</dt>
          <dd>{lead.user_email}</dd>
          <dt>Attempts</dt>
          <dd>{lead.attempts}</dd>
          <dt>Last call</dt>
          <dd>{lead.last_called_at ? formatDateTime(lead.last_called_at) : 'Never'}</dd>
          <dt>Next callback</dt>
          <dd data-testid="lead-callback">{lead.callback_at ? `${formatDateTime(lead.callback_at)}${isCallbackDue ? ' (due now)' : ''}` : 'None'}</dd>
        </dl>
      )}
      {lead.notes && !isEditing && <p className="lead-notes">{lead.notes}</p>}
      <h3>Calls and notes</h3>
      {calls.length === 0 ? (
        <p className="empty">No calls yet.</p>
      ) : (
        <ul className="lead-calls">
          {calls.map((call) => (
            <li key={call.id} data-testid="lead-call">
              <div className="lead-calls__head">
                <StatusBadge status={call.outcome} />
                <span>{call.ended_at ? formatDateTime(call.ended_at) : '—'}</span>
                <span className="muted">
                  Line {call.line_number ?? '—'} · {formatDuration(call.talk_seconds)} · {call.user_email}
                  {call.is_mock ? ' · simulated' : ''}
                </span>
              </div>
              {call.disposition && (
                <div>
                  <strong>{DISPOSITION_LABEL[call.disposition]}</strong>
                  {call.callback_at ? ` · call back ${formatDateTime(call.callback_at)}` : ''}
                </div>
              )}
              {call.notes && <p className="lead-notes">{call.notes}</p>}
            </li>
          ))}
        </ul>
      )}
      <Pager page={callsPage} pageSize={CALLS_PAGE_SIZE} total={callsTotal} label="Calls" onPage={setCallsPage} />
      {isCalling && (
        <DialerModal
          lead={lead}
          userEmail={userEmail}
          onClose={() => {
            setCalling(false);
            void load();
          }}
        />
      )}
    </section>
  );
}

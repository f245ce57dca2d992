import { useCallback, useEffect, useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { LEAD_STATUSES, type Lead, type LeadStatus } from '../../../src/core/rows.js';
import { DialerModal } from '../components/dialer-modal.js';
import { ExportButton } from '../components/export-button.js';
import { LEAD_STATUS_LABEL } from '../lib/labels.js';
import { useTableChanges } from '../lib/use-table-changes.js';
import { CSV_COLUMNS_HELP, CsvImportButton, ImportReportView, type ImportReport } from './csv-import.js';
import { LeadForm } from './lead-form.js';
import { LeadsTable } from './leads-table.js';

const isLeadStatus = (value: string): value is LeadStatus => (LEAD_STATUSES as readonly string[]).includes(value);

const matches = (lead: Lead, search: string) => {
  const needle = search.trim().toLowerCase();
  if (needle === '') return true;
  const digits = needle.replace(/\D/g, '');
  return [lead.name, lead.company ?? '', lead.email ?? ''].some((text) => text.toLowerCase().includes(needle)) || (digits !== '' && lead.phone.includes(digits));
};

/** The user's leads: add one, import a CSV, search, filter by status, and call one. */
export function LeadsScreen({ userEmail }: { userEmail: string }) {
  const supabase = useSupabase();
  const [leads, setLeads] = useState<Lead[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [status, setStatus] = useState<LeadStatus | ''>('');
  const [search, setSearch] = useState('');
  const [calling, setCalling] = useState<Lead | null>(null);
  const [isAdding, setAdding] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const searchId = useId();
  const statusId = useId();

  const load = useCallback(async () => {
    let query = supabase.from('leads').select('*').eq('user_email', userEmail);
    if (status !== '') query = query.eq('status', status);
    const { data, error } = await query.order('created_at', { ascending: false }).limit(1000);
    if (error) return setLoadError(`Could not load your leads: ${error.message}`);
    setLoadError(null);
    setLeads(data as Lead[]);
  }, [supabase, userEmail, status]);

  useEffect(() => {
    void load();
  }, [load]);
  useTableChanges('leads', userEmail, () => void load());

  const shown = leads?.filter((lead) => matches(lead, search)) ?? [];
  return (
    <section className="card" aria-labelledby="leads-title">
      <header className="card__header">
        <h2 id="leads-title">Leads</h2>
        <div className="toolbar">
          <button type="button" className="button button--secondary" onClick={() => setAdding((a) => !a)} aria-expanded={isAdding}>
            {isAdding ? 'Close form' : 'Add lead'}
          </button>
          <ExportButton kind="leads" />
          <CsvImportButton
            userEmail={userEmail}
            onImported={(next) => {
              setReport(next);
              void load();
            }}
          />
        </div>
      </header>
      {report && <ImportReportView report={report} onDismiss={() => setReport(null)} />}
      {isAdding && <LeadForm userEmail={userEmail} onAdded={() => void load()} />}
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor={searchId}>Search</label>
          <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, company or number" />
        </div>
        <div className="field">
          <label htmlFor={statusId}>Status</label>
          <select id={statusId} value={status} onChange={(e) => setStatus(isLeadStatus(e.target.value) ? e.target.value : '')}>
            <option value="">All statuses</option>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {LEAD_STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {loadError && (
        <p className="form-error" role="alert">
          {loadError}
        </p>
      )}
      {leads === null ? (
        <p className="muted">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="empty">{leads.length === 0 && status === '' ? `No leads yet. Add one, or import ${CSV_COLUMNS_HELP.charAt(0).toLowerCase()}${CSV_COLUMNS_HELP.slice(1)}` : 'No leads match.'}</p>
      ) : (
        <LeadsTable leads={shown} onCall={setCalling} />
      )}
      {calling && (
        <DialerModal
          lead={calling}
          userEmail={userEmail}
          onClose={() => {
            setCalling(null);
            void load();
          }}
        />
      )}
    </section>
  );
}

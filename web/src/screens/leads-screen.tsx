import { useCallback, useEffect, useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { LEAD_STATUSES, type Lead, type LeadStatus } from '../../../src/core/rows.js';
import { DialerModal } from '../components/dialer-modal.js';
import { ExportButton } from '../components/export-button.js';
import { Pager, pageRange } from '../components/pager.js';
import { LEAD_STATUS_LABEL } from '../lib/labels.js';
import { useTableChanges } from '../lib/use-table-changes.js';
import { CSV_COLUMNS_HELP, CsvImportButton, ImportReportView, type ImportReport } from './csv-import.js';
import { LeadForm } from './lead-form.js';
import { LeadsTable } from './leads-table.js';

const isLeadStatus = (value: string): value is LeadStatus => (LEAD_STATUSES as readonly string[]).includes(value);

const PAGE_SIZE = 50;

/**
 * The search as a PostgREST `or` filter over name, company, email and (for digits) phone.
 * Characters the filter grammar reserves are dropped from the words rather than quoted: nobody
 * searches a name by its commas or parentheses.
 */
function searchFilter(search: string): string | null {
  const needle = search.replace(/[,()"\\*%]/g, ' ').replace(/\s+/g, ' ').trim();
  if (needle === '') return null;
  const digits = needle.replace(/\D/g, '');
  const parts = ['name', 'company', 'email'].map((column) => `${column}.ilike.*${needle}*`);
  if (digits !== '') parts.push(`phone.like.*${digits}*`);
  return parts.join(',');
}

/** `value`, once it has stopped changing for `ms` (so a search is not a request per keystroke). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The user's leads, paged on the server (LS1): add one, import a CSV, search, filter by status, export, and call one. */
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

  const [page, setPage] = useState(0);
  const [total, setTotal] = useState<number | null>(null);
  const settledSearch = useSettled(search, 250);

  const load = useCallback(async () => {
    let query = supabase.from('leads').select('*', { count: 'exact' }).eq('user_email', userEmail);
    if (status !== '') query = query.eq('status', status);
    const filter = searchFilter(settledSearch);
    if (filter) query = query.or(filter);
    const [first, last] = pageRange(page, PAGE_SIZE);
    const { data, count, error } = await query.order('created_at', { ascending: false }).order('id', { ascending: false }).range(first, last);
    if (error) {
      // The list shrank under the page being read (PGRST103): go back to the first page.
      if (page > 0 && error.code === 'PGRST103') return setPage(0);
      return setLoadError(`Could not load your leads: ${error.message}`);
    }
    setLoadError(null);
    setLeads(data as Lead[]);
    setTotal(count ?? null);
  }, [supabase, userEmail, status, settledSearch, page]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => setPage(0), [status, settledSearch]);
  useTableChanges('leads', userEmail, () => void load());

  const shown = leads ?? [];
  return (
    <section className="card" aria-labelledby="leads-title">
      <header className="card__header">
        <h2 id="leads-title">Leads</h2>
        <div className="toolbar">
          <button type="button" className="button button--secondary" onClick={() => setAdding((a) => !a)} aria-expanded={isAdding}>
            {isAdding ? 'Close form' : 'Add lead'}
          </button>
          <ExportButton kind="leads" userEmail={userEmail} />
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
        <p className="empty">{total === 0 && status === '' && settledSearch.trim() === '' ? `No leads yet. Add one, or import ${CSV_COLUMNS_HELP.charAt(0).toLowerCase()}${CSV_COLUMNS_HELP.slice(1)}` : 'No leads match.'}</p>
      ) : (
        <LeadsTable leads={shown} onCall={setCalling} />
      )}
      <Pager page={page} pageSize={PAGE_SIZE} total={total} label="Leads" onPage={setPage} />
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

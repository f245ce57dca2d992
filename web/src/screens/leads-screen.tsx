import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { isLeadStatus, LEAD_STATUSES, type Lead, type LeadStatus } from '../../../src/core/rows.js';
import { DialerModal } from '../components/dialer-modal.js';
import { ExportButton } from '../components/export-button.js';
import { Pager } from '../components/pager.js';
import { RepFilter } from '../components/rep-filter.js';
import { LEAD_STATUS_LABEL } from '../lib/labels.js';
import { fetchLeadsPage, fetchMatchingLeadIds, type LeadSort, type ListFilter } from '../lib/leads-query.js';
import { useLeadLists } from '../lib/lists-api.js';
import { seesWorkspace } from '../lib/team-api.js';
import { useMemberEmails } from '../lib/use-member-emails.js';
import { useLeadId } from '../lib/use-route.js';
import { useFilteredTableChanges } from '../lib/use-table-changes.js';
import { useWorkspace } from '../lib/workspace-context.js';
import { BulkActions, BulkReportView, type BulkReport } from './bulk-actions.js';
import { LeadImportButton, LeadImportPanel, type UploadedImport } from './lead-import.js';
import { LeadForm } from './lead-form.js';
import { LeadListsPanel } from './lead-lists-panel.js';
import { LeadPage } from './lead-page.js';
import { LeadsTable } from './leads-table.js';


const PAGE_SIZE = 50;
const DEFAULT_SORT: LeadSort = { column: 'created_at', isAscending: false };

/** `value`, once it has stopped changing for `ms` (so a search is not a request per keystroke). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The Leads screen: the list (or one lead's page at `/leads/<id>`). */
export function LeadsScreen({ userEmail }: { userEmail: string }) {
  const leadId = useLeadId();
  return leadId ? <LeadPage key={leadId} leadId={leadId} userEmail={userEmail} /> : <LeadsList userEmail={userEmail} />;
}

/**
 * The leads the member may see, searched, filtered, sorted and paged on the server with the
 * total (LS1); add one, import a file, manage lists, act on a selection, call one.
 */
function LeadsList({ userEmail }: { userEmail: string }) {
  const supabase = useSupabase();
  const { info, role } = useWorkspace();
  const isManager = seesWorkspace(role);
  const members = useMemberEmails(isManager ? (info?.workspace.id ?? null) : null);
  const { lists, reload: reloadLists } = useLeadLists();
  const [leads, setLeads] = useState<Lead[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<LeadStatus | ''>('');
  const [listId, setListId] = useState<ListFilter>('');
  const [owner, setOwner] = useState('');
  const [isCallbackDue, setCallbackDue] = useState(false);
  const [sort, setSort] = useState<LeadSort>(DEFAULT_SORT);
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [calling, setCalling] = useState<Lead | null>(null);
  const [panel, setPanel] = useState<'add' | 'lists' | null>(null);
  const [upload, setUpload] = useState<UploadedImport | null>(null);
  const [bulkReport, setBulkReport] = useState<BulkReport | null>(null);
  const ids = { search: useId(), status: useId(), list: useId(), due: useId() };
  const settledSearch = useSettled(search, 250);

  const query = useMemo(
    () => ({ search: settledSearch, status, listId, owner, isCallbackDue, sort, page, pageSize: PAGE_SIZE }),
    [settledSearch, status, listId, owner, isCallbackDue, sort, page],
  );
  const load = useCallback(async () => {
    const result = await fetchLeadsPage(supabase, query);
    if (!result.ok) {
      // The list shrank under the page being read (PGRST103): go back to the first page.
      if (page > 0 && result.code === 'PGRST103') return setPage(0);
      return setLoadError(`Could not load the leads: ${result.message}`);
    }
    setLoadError(null);
    setLeads(result.leads);
    setTotal(result.total);
  }, [supabase, query, page]);

  async function selectAllMatching() {
    const result = await fetchMatchingLeadIds(supabase, query);
    if (!result.ok) return setLoadError(`Could not select the leads: ${result.message}`);
    setSelected(new Set(result.ids));
  }

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => setPage(0), [settledSearch, status, listId, owner, isCallbackDue, sort]);
  useFilteredTableChanges('leads', isManager && info ? `workspace_id=eq.${info.workspace.id}` : `user_email=eq.${userEmail}`, () => void load(), 500);

  const leadsById = useMemo(() => new Map((leads ?? []).map((lead) => [lead.id, lead])), [leads]);
  const listNames = useMemo(() => new Map(lists.map((list) => [list.id, list.archived_at ? `${list.name} (archived)` : list.name])), [lists]);
  const liveLists = lists.filter((list) => list.archived_at === null);
  const isFiltered = settledSearch.trim() !== '' || status !== '' || listId !== '' || owner !== '' || isCallbackDue;

  function select(leadIds: readonly string[], isSelected: boolean) {
    setSelected((before) => {
      const next = new Set(before);
      for (const id of leadIds) {
        if (isSelected) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }

  return (
    <section className="card" aria-labelledby="leads-title">
      <header className="card__header">
        <h2 id="leads-title">Leads</h2>
        <div className="toolbar">
          <button type="button" className="button button--secondary" onClick={() => setPanel((p) => (p === 'add' ? null : 'add'))} aria-expanded={panel === 'add'}>
            {panel === 'add' ? 'Close form' : 'Add lead'}
          </button>
          <button type="button" className="button button--secondary" onClick={() => setPanel((p) => (p === 'lists' ? null : 'lists'))} aria-expanded={panel === 'lists'}>
            Lists
          </button>
          <ExportButton kind="leads" userEmail={userEmail} />
          <LeadImportButton onUploaded={setUpload} />
        </div>
      </header>
      {upload && (
        <LeadImportPanel
          key={upload.importId}
          upload={upload}
          lists={liveLists}
          onClose={() => setUpload(null)}
          onImported={() => void load()}
        />
      )}
      {panel === 'add' && <LeadForm userEmail={userEmail} onSaved={() => void load()} />}
      {panel === 'lists' && <LeadListsPanel lists={lists} canManage={isManager} onChanged={reloadLists} />}
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor={ids.search}>Search</label>
          <input id={ids.search} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, company, email or number" />
        </div>
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(e) => setStatus(isLeadStatus(e.target.value) ? e.target.value : '')}>
            <option value="">All statuses</option>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {LEAD_STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.list}>List</label>
          <select id={ids.list} value={listId} onChange={(e) => setListId(e.target.value)}>
            <option value="">All lists</option>
            <option value="none">No list</option>
            {lists.map((list) => (
              <option key={list.id} value={list.id}>
                {listNames.get(list.id)}
              </option>
            ))}
          </select>
        </div>
        {isManager && <RepFilter emails={members} value={owner} onChange={setOwner} />}
        <div className="field field--inline">
          <input id={ids.due} type="checkbox" checked={isCallbackDue} onChange={(e) => setCallbackDue(e.target.checked)} />
          <label htmlFor={ids.due}>Callbacks due</label>
        </div>
      </div>
      {selected.size > 0 && (
        <BulkActions
          selected={[...selected]}
          leadsById={leadsById}
          lists={lists}
          members={isManager ? members : [userEmail]}
          userEmail={userEmail}
          onDone={(report) => {
            setBulkReport(report);
            setSelected(new Set());
            void load();
          }}
        />
      )}
      {leads !== null && total !== null && total > leads.length && leads.length > 0 && leads.every((lead) => selected.has(lead.id)) && selected.size < total && (
        <p className="muted">
          All {leads.length} leads on this page are selected.{' '}
          <button type="button" className="button button--ghost button--small" onClick={() => void selectAllMatching()}>
            Select all {total.toLocaleString('en')} matching leads
          </button>
        </p>
      )}
      {bulkReport && <BulkReportView report={bulkReport} onDismiss={() => setBulkReport(null)} />}
      {loadError && (
        <p className="form-error" role="alert">
          {loadError}
        </p>
      )}
      {leads === null ? (
        <p className="muted">Loading…</p>
      ) : leads.length === 0 ? (
        <p className="empty">
          {!isFiltered && total === 0 ? 'No leads yet. Add one, or import a CSV file (any export with a header row: the preview maps its columns).' : isCallbackDue ? 'No callbacks are due.' : 'No leads match.'}
        </p>
      ) : (
        <LeadsTable
          leads={leads}
          listNames={listNames}
          showOwner={isManager}
          sort={isCallbackDue ? { column: 'callback_at', isAscending: true } : sort}
          selected={selected}
          onSort={setSort}
          onSelect={select}
          onCall={setCalling}
        />
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

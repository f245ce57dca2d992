import type { Lead } from '../../../src/core/rows.js';
import { LeadStatusBadge } from '../components/status-badge.js';
import { formatDateTime } from '../lib/format.js';
import type { LeadSort, LeadSortColumn } from '../lib/leads-query.js';
import { goToPath } from '../lib/use-route.js';

const SORTABLE: readonly { column: LeadSortColumn | null; label: string }[] = [
  { column: 'name', label: 'Name' },
  { column: null, label: 'Phone' },
  { column: 'company', label: 'Company' },
  { column: null, label: 'List' },
  { column: 'status', label: 'Status' },
  { column: 'attempts', label: 'Attempts' },
  { column: 'last_called_at', label: 'Last call' },
  { column: 'callback_at', label: 'Callback' },
];

/** A column header that sorts by its column: a first click ascending, the next descending. */
function SortHeader({ column, label, sort, onSort }: { column: LeadSortColumn | null; label: string; sort: LeadSort; onSort(sort: LeadSort): void }) {
  if (column === null) return <th scope="col">{label}</th>;
  const isSorted = sort.column === column;
  return (
    <th scope="col" aria-sort={isSorted ? (sort.isAscending ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort({ column, isAscending: isSorted ? !sort.isAscending : true })}>
        {label}
        <span aria-hidden="true">{isSorted ? (sort.isAscending ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

export interface LeadsTableProps {
  readonly leads: readonly Lead[];
  readonly listNames: ReadonlyMap<string, string>;
  readonly showOwner: boolean;
  readonly sort: LeadSort;
  readonly selected: ReadonlySet<string>;
  onSort(sort: LeadSort): void;
  onSelect(ids: readonly string[], isSelected: boolean): void;
  onCall(lead: Lead): void;
}

/** The leads as a table on a desktop and as cards on a phone (styles.css), sortable, with a selection. */
export function LeadsTable({ leads, listNames, showOwner, sort, selected, onSort, onSelect, onCall }: LeadsTableProps) {
  const isAllSelected = leads.length > 0 && leads.every((lead) => selected.has(lead.id));
  return (
    <table className="table table--cards" aria-label="Leads">
      <thead>
        <tr>
          <th scope="col">
            <input type="checkbox" aria-label="Select every lead on this page" checked={isAllSelected} onChange={(e) => onSelect(leads.map((lead) => lead.id), e.target.checked)} />
          </th>
          {SORTABLE.map(({ column, label }) => (
            <SortHeader key={label} column={column} label={label} sort={sort} onSort={onSort} />
          ))}
          {showOwner && <th scope="col">Owner</th>}
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {leads.map((lead) => (
          <tr key={lead.id} data-testid="lead-row" data-lead-id={lead.id}>
            <td className="table__select">
              <input type="checkbox" aria-label={`Select ${lead.name}`} checked={selected.has(lead.id)} onChange={(e) => onSelect([lead.id], e.target.checked)} />
            </td>
            <td data-label="Name" className="strong">
              <a
                href={`/leads/${lead.id}`}
                onClick={(event) => {
                  event.preventDefault();
                  goToPath(`/leads/${lead.id}`);
                }}
              >
                {lead.name}
              </a>
            </td>
            <td data-label="Phone">
              {lead.phone}
              {lead.extension ? ` ext. ${lead.extension}` : ''}
            </td>
            <td data-label="Company">{lead.company ?? '—'}</td>
            <td data-label="List">{lead.list_id ? (listNames.get(lead.list_id) ?? '…') : '—'}</td>
            <td data-label="Status">
              <LeadStatusBadge status={lead.status} />
            </td>
            <td data-label="Attempts">{lead.attempts}</td>
            <td data-label="Last call">{lead.last_called_at ? formatDateTime(lead.last_called_at) : 'Never'}</td>
            <td data-label="Callback">{lead.callback_at ? formatDateTime(lead.callback_at) : '—'}</td>
            {showOwner && <td data-label="Owner">{lead.user_email}</td>}
            <td className="table__actions">
              <button type="button" className="button button--call button--small" onClick={() => onCall(lead)} aria-label={`Call ${lead.name}`}>
                Call
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

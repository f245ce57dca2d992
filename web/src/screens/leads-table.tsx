import type { Lead } from '../../../src/core/rows.js';
import { LeadStatusBadge } from '../components/status-badge.js';
import { formatDateTime } from '../lib/format.js';

/** The leads as a table on a desktop and as cards on a phone (styles.css). */
export function LeadsTable({ leads, onCall }: { leads: readonly Lead[]; onCall(lead: Lead): void }) {
  return (
    <table className="table table--cards" aria-label="Leads">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Phone</th>
          <th scope="col">Company</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Last call</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {leads.map((lead) => (
          <tr key={lead.id} data-testid="lead-row" data-lead-id={lead.id}>
            <td data-label="Name" className="strong">
              {lead.name}
            </td>
            <td data-label="Phone">{lead.phone}</td>
            <td data-label="Company">{lead.company ?? '—'}</td>
            <td data-label="Status">
              <LeadStatusBadge status={lead.status} />
            </td>
            <td data-label="Attempts">{lead.attempts}</td>
            <td data-label="Last call">{lead.last_called_at ? formatDateTime(lead.last_called_at) : 'Never'}</td>
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

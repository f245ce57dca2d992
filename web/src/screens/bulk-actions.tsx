import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { LEAD_STATUSES, type Lead, type LeadStatus } from '../../../src/core/rows.js';
import { LEAD_STATUS_LABEL } from '../lib/labels.js';
import { BULK_LIMIT, bulkUpdateLeads, SKIP_REASON_LABEL, type BulkAction, type BulkRequest, type LeadListRow } from '../lib/lists-api.js';

const ACTION_LABEL: Readonly<Record<BulkAction, string>> = { assign: 'Assign to', move: 'Move to list', set_status: 'Set status', delete: 'Delete' };

export interface BulkReport {
  readonly message: string;
  readonly skipped: readonly string[];
}

/**
 * What to do with the selected leads (bulkUpdateLeads): assign (managers; a rep only to
 * themselves), move to a list, set a status, delete. Each lead left as it was comes back with why.
 */
export function BulkActions({
  selected,
  leadsById,
  lists,
  members,
  userEmail,
  onDone,
}: {
  selected: readonly string[];
  leadsById: ReadonlyMap<string, Lead>;
  lists: readonly LeadListRow[];
  members: readonly string[];
  userEmail: string;
  onDone(report: BulkReport): void;
}) {
  const supabase = useSupabase();
  const [action, setAction] = useState<BulkAction>('move');
  const [assignee, setAssignee] = useState(userEmail);
  const [listId, setListId] = useState('');
  const [status, setStatus] = useState<LeadStatus>('new');
  const [isWorking, setWorking] = useState(false);
  const ids = { action: useId(), target: useId() };
  const liveLists = lists.filter((list) => list.archived_at === null);
  const assignees = members.length > 0 ? members : [userEmail];

  function request(): BulkRequest {
    switch (action) {
      case 'assign':
        return { action, userEmail: assignee };
      case 'move':
        return { action, listId: listId === '' ? null : listId };
      case 'set_status':
        return { action, status };
      case 'delete':
        return { action };
      default: {
        const unreachable: never = action;
        throw new Error(`unknown action ${String(unreachable)}`);
      }
    }
  }

  async function apply() {
    if (action === 'delete' && !window.confirm(`Delete ${selected.length} ${selected.length === 1 ? 'lead' : 'leads'}? Their call history stays.`)) return;
    setWorking(true);
    let updated = 0;
    const skipped: string[] = [];
    for (let start = 0; start < selected.length; start += BULK_LIMIT) {
      const result = await bulkUpdateLeads(supabase, selected.slice(start, start + BULK_LIMIT), request());
      if (!result.ok) {
        setWorking(false);
        return onDone({ message: `${updated > 0 ? `${updated} updated, then: ` : ''}${result.error.message}`, skipped });
      }
      updated += result.value.updated;
      for (const skip of result.value.skipped) skipped.push(`${leadsById.get(skip.leadId)?.name ?? skip.leadId}: ${SKIP_REASON_LABEL[skip.reason] ?? skip.reason}`);
    }
    setWorking(false);
    onDone({ message: `${updated} ${updated === 1 ? 'lead' : 'leads'} updated.${skipped.length > 0 ? ` ${skipped.length} left as they were:` : ''}`, skipped });
  }

  return (
    <form
      className="bulk-actions"
      aria-label="Bulk actions"
      onSubmit={(event) => {
        event.preventDefault();
        void apply();
      }}
    >
      <strong data-testid="selected-count">{selected.length} selected</strong>
      <div className="field">
        <label htmlFor={ids.action}>Action</label>
        <select id={ids.action} value={action} onChange={(e) => setAction(e.target.value as BulkAction)}>
          {(Object.keys(ACTION_LABEL) as BulkAction[]).map((a) => (
            <option key={a} value={a}>
              {ACTION_LABEL[a]}
            </option>
          ))}
        </select>
      </div>
      {action === 'assign' && (
        <div className="field">
          <label htmlFor={ids.target}>Rep</label>
          <select id={ids.target} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            {assignees.map((email) => (
              <option key={email} value={email}>
                {email}
              </option>
            ))}
          </select>
        </div>
      )}
      {action === 'move' && (
        <div className="field">
          <label htmlFor={ids.target}>List</label>
          <select id={ids.target} value={listId} onChange={(e) => setListId(e.target.value)}>
            <option value="">No list</option>
            {liveLists.map((list) => (
              <option key={list.id} value={list.id}>
                {list.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {action === 'set_status' && (
        <div className="field">
          <label htmlFor={ids.target}>Status</label>
          <select id={ids.target} value={status} onChange={(e) => setStatus(e.target.value as LeadStatus)}>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {LEAD_STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
      )}
      <button type="submit" className={`button ${action === 'delete' ? 'button--danger' : 'button--primary'} button--small`} disabled={isWorking}>
        {isWorking ? 'Working…' : 'Apply'}
      </button>
    </form>
  );
}

/** What the last bulk action did, with every lead it skipped and why. */
export function BulkReportView({ report, onDismiss }: { report: BulkReport; onDismiss(): void }) {
  return (
    <div className={`notice ${report.skipped.length > 0 ? 'notice--warn' : 'notice--good'}`} role="status" data-testid="bulk-report">
      <button type="button" className="button button--ghost button--small notice__close" onClick={onDismiss} aria-label="Dismiss">
        ✕
      </button>
      <p>{report.message}</p>
      {report.skipped.length > 0 && (
        <ul className="import-problems">
          {report.skipped.map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

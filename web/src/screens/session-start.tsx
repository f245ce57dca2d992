import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { DIALABLE_LEAD_STATUSES, MAX_SESSION_LINES, MIN_SESSION_LINES, type SessionFilter } from '../../../src/core/dialer-session.js';
import type { LeadStatus } from '../../../src/core/rows.js';
import { startDialerSession } from '../lib/dialer-session-api.js';
import { LEAD_STATUS_LABEL } from '../lib/labels.js';
import { useLeadLists } from '../lib/lists-api.js';

const LINE_CHOICES = Array.from({ length: MAX_SESSION_LINES - MIN_SESSION_LINES + 1 }, (_, i) => MIN_SESSION_LINES + i);

/**
 * Starts a power-dial session: a list (not archived), optionally only some lead statuses or only
 * due callbacks, and 1 to 3 lines. The server refuses a second live session (session_active).
 */
export function SessionStart({ onStarted }: { onStarted(): void }) {
  const supabase = useSupabase();
  const { lists } = useLeadLists();
  const open = lists.filter((list) => list.archived_at === null);
  const [listId, setListId] = useState('');
  const [lines, setLines] = useState(MAX_SESSION_LINES);
  const [statuses, setStatuses] = useState<readonly LeadStatus[]>([]);
  const [isCallbacksOnly, setCallbacksOnly] = useState(false);
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { list: useId(), lines: useId() };
  const chosenList = listId || open[0]?.id || '';

  async function start() {
    if (!chosenList) return setError('Choose a list to dial (create one on the Leads screen).');
    const filter: SessionFilter = { ...(statuses.length > 0 ? { statuses: [...statuses] as SessionFilter['statuses'] } : {}), ...(isCallbacksOnly ? { callbacksOnly: true } : {}) };
    setBusy(true);
    setError(null);
    const result = await startDialerSession(supabase, { listId: chosenList, lines, filter });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    onStarted();
  }

  return (
    <form
      className="session-start"
      aria-label="Start a session"
      onSubmit={(event) => {
        event.preventDefault();
        void start();
      }}
    >
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.list}>List</label>
          <select id={ids.list} value={chosenList} onChange={(event) => setListId(event.target.value)}>
            {open.length === 0 && <option value="">No lists yet</option>}
            {open.map((list) => (
              <option key={list.id} value={list.id}>
                {list.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.lines}>Lines</label>
          <select id={ids.lines} value={lines} onChange={(event) => setLines(Number(event.target.value))}>
            {LINE_CHOICES.map((count) => (
              <option key={count} value={count}>
                {count} {count === 1 ? 'line' : 'lines'}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="fieldset">
        <legend>Which leads (none ticked: every status but do not call)</legend>
        <div className="session-start__statuses">
          {DIALABLE_LEAD_STATUSES.map((status) => (
            <label key={status} className="field--inline">
              <input
                type="checkbox"
                checked={statuses.includes(status)}
                onChange={(event) => setStatuses((current) => (event.target.checked ? [...current, status] : current.filter((s) => s !== status)))}
              />
              {LEAD_STATUS_LABEL[status]}
            </label>
          ))}
        </div>
        <label className="field--inline">
          <input type="checkbox" checked={isCallbacksOnly} onChange={(event) => setCallbacksOnly(event.target.checked)} />
          Only callbacks that are due
        </label>
      </fieldset>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={isBusy || !chosenList}>
        {isBusy ? 'Starting…' : 'Start session'}
      </button>
    </form>
  );
}

import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { VOICEMAIL_ACTIONS, type VoicemailAction } from '../../../src/core/rows.js';
import { archiveLeadList, createLeadList, updateLeadList, type LeadListFields, type LeadListRow } from '../lib/lists-api.js';

const VOICEMAIL_LABEL: Readonly<Record<VoicemailAction, string>> = { hangup: 'Hang up', leave: 'Leave the message' };

const fieldsOf = (list: LeadListRow | null): LeadListFields => ({
  name: list?.name ?? '',
  callerId: list?.caller_id ?? null,
  amdEnabled: list?.amd_enabled ?? false,
  recordingEnabled: list?.recording_enabled ?? false,
  voicemailAction: list?.voicemail_action ?? 'hangup',
  voicemailMessage: list?.voicemail_message ?? null,
});

/** Creates a list or changes one's name and settings (createLeadList, updateLeadList). */
function ListForm({ list, onSaved, onCancel }: { list: LeadListRow | null; onSaved(): void; onCancel?: () => void }) {
  const supabase = useSupabase();
  const [fields, setFields] = useState(() => fieldsOf(list));
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const ids = { name: useId(), callerId: useId(), amd: useId(), recording: useId(), voicemail: useId(), message: useId() };
  const set = (change: Partial<LeadListFields>) => setFields((before) => ({ ...before, ...change }));

  async function save() {
    setSaving(true);
    setError(null);
    const cleaned = { ...fields, name: fields.name.trim(), callerId: fields.callerId?.trim() || null, voicemailMessage: fields.voicemailMessage?.trim() || null };
    const result = list ? await updateLeadList(supabase, list.id, cleaned) : await createLeadList(supabase, cleaned);
    setSaving(false);
    if (!result.ok) return setError(result.error.message);
    if (!list) setFields(fieldsOf(null));
    onSaved();
  }

  return (
    <form
      className="list-form"
      aria-label={list ? `Settings of ${list.name}` : 'New list'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="field">
        <label htmlFor={ids.name}>List name</label>
        <input id={ids.name} value={fields.name} onChange={(e) => set({ name: e.target.value })} maxLength={200} required />
      </div>
      <div className="field">
        <label htmlFor={ids.callerId}>Caller ID</label>
        <input id={ids.callerId} type="tel" value={fields.callerId ?? ''} onChange={(e) => set({ callerId: e.target.value })} placeholder="the account's number" />
      </div>
      <div className="field field--inline">
        <input id={ids.amd} type="checkbox" checked={fields.amdEnabled} onChange={(e) => set({ amdEnabled: e.target.checked })} />
        <label htmlFor={ids.amd}>Answering-machine detection</label>
      </div>
      <div className="field field--inline">
        <input id={ids.recording} type="checkbox" checked={fields.recordingEnabled} onChange={(e) => set({ recordingEnabled: e.target.checked })} />
        <label htmlFor={ids.recording}>Record calls</label>
      </div>
      <div className="field">
        <label htmlFor={ids.voicemail}>On voicemail</label>
        <select id={ids.voicemail} value={fields.voicemailAction} onChange={(e) => set({ voicemailAction: e.target.value as VoicemailAction })}>
          {VOICEMAIL_ACTIONS.map((action) => (
            <option key={action} value={action}>
              {VOICEMAIL_LABEL[action]}
            </option>
          ))}
        </select>
      </div>
      {fields.voicemailAction === 'leave' && (
        <div className="field">
          <label htmlFor={ids.message}>Voicemail message</label>
          <textarea id={ids.message} rows={2} maxLength={2000} value={fields.voicemailMessage ?? ''} onChange={(e) => set({ voicemailMessage: e.target.value })} />
        </div>
      )}
      <div className="toolbar">
        <button type="submit" className="button button--primary button--small" disabled={isSaving}>
          {list ? 'Save list' : 'Create list'}
        </button>
        {onCancel && (
          <button type="button" className="button button--ghost button--small" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** The workspace's lists: every member sees them; admins and managers create, change and archive them. */
export function LeadListsPanel({ lists, canManage, onChanged }: { lists: readonly LeadListRow[]; canManage: boolean; onChanged(): void }) {
  const supabase = useSupabase();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = lists.filter((list) => list.archived_at === null);

  async function archive(list: LeadListRow) {
    if (!window.confirm(`Archive "${list.name}"? Its leads stay in it; it takes no new leads.`)) return;
    const result = await archiveLeadList(supabase, list.id);
    setError(result.ok ? null : result.error.message);
    onChanged();
  }

  return (
    <section className="lists-panel" aria-label="Lead lists">
      {live.length === 0 ? (
        <p className="muted">No lists yet.{canManage ? ' Create one below.' : ' An admin or manager creates them.'}</p>
      ) : (
        <ul className="lists-panel__items">
          {live.map((list) => (
            <li key={list.id} data-testid="lead-list">
              {editing === list.id ? (
                <ListForm
                  list={list}
                  onSaved={() => {
                    setEditing(null);
                    onChanged();
                  }}
                  onCancel={() => setEditing(null)}
                />
              ) : (
                <>
                  <strong>{list.name}</strong>
                  <span className="muted">
                    {list.caller_id ? ` · caller ID ${list.caller_id}` : ''}
                    {list.amd_enabled ? ' · AMD' : ''}
                    {list.recording_enabled ? ' · recorded' : ''}
                    {list.voicemail_action === 'leave' ? ' · leaves a voicemail' : ''}
                  </span>
                  {canManage && (
                    <span className="toolbar">
                      <button type="button" className="button button--ghost button--small" onClick={() => setEditing(list.id)} aria-label={`Edit ${list.name}`}>
                        Edit
                      </button>
                      <button type="button" className="button button--ghost button--small" onClick={() => void archive(list)} aria-label={`Archive ${list.name}`}>
                        Archive
                      </button>
                    </span>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {canManage && <ListForm list={null} onSaved={onChanged} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

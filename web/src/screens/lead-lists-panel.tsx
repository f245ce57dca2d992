import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { WRAP_UP_SECONDS_MAX, WRAP_UP_SECONDS_MIN } from '../../../src/core/dialer-session.js';
import { VOICEMAIL_ACTIONS, type VoicemailAction } from '../../../src/core/rows.js';
import { shortTime } from '../lib/compliance-api.js';
import { archiveLeadList, createLeadList, updateLeadList, type LeadListFields, type LeadListRow } from '../lib/lists-api.js';

const VOICEMAIL_LABEL: Readonly<Record<VoicemailAction, string>> = { hangup: 'Hang up', leave: 'Leave the message' };

const fieldsOf = (list: LeadListRow | null): LeadListFields => ({
  name: list?.name ?? '',
  callerId: list?.caller_id ?? null,
  amdEnabled: list?.amd_enabled ?? false,
  recordingEnabled: list?.recording_enabled ?? false,
  voicemailAction: list?.voicemail_action ?? 'hangup',
  voicemailMessage: list?.voicemail_message ?? null,
  callingWindowStart: list?.calling_window_start ? shortTime(list.calling_window_start) : null,
  callingWindowEnd: list?.calling_window_end ? shortTime(list.calling_window_end) : null,
  maxAttemptsLifetime: list?.max_attempts_lifetime ?? null,
  maxAttemptsPerDay: list?.max_attempts_per_day ?? null,
  maxAttemptsPer24h: list?.max_attempts_per_24h ?? null,
  wrapUpSeconds: list?.wrap_up_seconds ?? null,
});

const COMPLIANCE_FIELDS = ['callingWindowStart', 'callingWindowEnd', 'maxAttemptsLifetime', 'maxAttemptsPerDay', 'maxAttemptsPer24h', 'wrapUpSeconds'] as const;

/** A cap as typed: empty is none (the workspace's), else a whole number of 1 or more. */
const readCap = (text: string): number | null | 'invalid' => {
  if (text.trim() === '') return null;
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : 'invalid';
};

/**
 * The fields to send: the calling window, caps and wrap-up time only when they differ from what the list
 * has (or, for a new list, when set), so a form that leaves them alone sends what it always did.
 */
function payloadOf(fields: LeadListFields, before: LeadListFields): Partial<LeadListFields> {
  const payload: Record<string, unknown> = { ...fields };
  for (const key of COMPLIANCE_FIELDS) if (fields[key] === before[key]) delete payload[key];
  return payload as Partial<LeadListFields>;
}

/** Creates a list or changes one's name and settings (createLeadList, updateLeadList). */
function ListForm({ list, onSaved, onCancel }: { list: LeadListRow | null; onSaved(): void; onCancel?: () => void }) {
  const supabase = useSupabase();
  const [fields, setFields] = useState(() => fieldsOf(list));
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const [caps, setCaps] = useState(() => ({
    lifetime: String(fields.maxAttemptsLifetime ?? ''),
    perDay: String(fields.maxAttemptsPerDay ?? ''),
    per24h: String(fields.maxAttemptsPer24h ?? ''),
  }));
  const [wrapUp, setWrapUp] = useState(() => String(fields.wrapUpSeconds ?? ''));
  const ids = {
    name: useId(),
    callerId: useId(),
    amd: useId(),
    recording: useId(),
    voicemail: useId(),
    message: useId(),
    windowStart: useId(),
    windowEnd: useId(),
    lifetime: useId(),
    perDay: useId(),
    per24h: useId(),
    wrapUp: useId(),
  };
  const set = (change: Partial<LeadListFields>) => setFields((before) => ({ ...before, ...change }));

  async function save() {
    const start = fields.callingWindowStart || null;
    const end = fields.callingWindowEnd || null;
    if ((start === null) !== (end === null)) return setError('Set both ends of the calling window, or neither (the workspace’s window).');
    if (start !== null && end !== null && !(start >= '08:00' && end <= '21:00' && start < end)) {
      return setError('The calling window lies within 08:00–21:00 (the federal limit) and starts before it ends.');
    }
    const lifetime = readCap(caps.lifetime);
    const perDay = readCap(caps.perDay);
    const per24h = readCap(caps.per24h);
    if (lifetime === 'invalid' || perDay === 'invalid' || per24h === 'invalid') return setError('An attempt limit is a whole number of 1 or more, or empty for the workspace’s.');
    const wrapUpSeconds = wrapUp.trim() === '' ? null : Number(wrapUp);
    if (wrapUpSeconds !== null && !(Number.isInteger(wrapUpSeconds) && wrapUpSeconds >= WRAP_UP_SECONDS_MIN && wrapUpSeconds <= WRAP_UP_SECONDS_MAX)) {
      return setError(`The wrap-up time is a whole number of seconds from ${WRAP_UP_SECONDS_MIN} to ${WRAP_UP_SECONDS_MAX}, or empty to wait for the disposition.`);
    }
    setSaving(true);
    setError(null);
    const cleaned: LeadListFields = {
      ...fields,
      name: fields.name.trim(),
      callerId: fields.callerId?.trim() || null,
      voicemailMessage: fields.voicemailMessage?.trim() || null,
      callingWindowStart: start,
      callingWindowEnd: end,
      maxAttemptsLifetime: lifetime,
      maxAttemptsPerDay: perDay,
      maxAttemptsPer24h: per24h,
      wrapUpSeconds,
    };
    const payload = payloadOf(cleaned, fieldsOf(list));
    const result = list ? await updateLeadList(supabase, list.id, payload) : await createLeadList(supabase, { name: cleaned.name, ...payload });
    setSaving(false);
    if (!result.ok) return setError(result.error.message);
    if (!list) {
      setFields(fieldsOf(null));
      setCaps({ lifetime: '', perDay: '', per24h: '' });
      setWrapUp('');
    }
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
      <div className="field">
        <label htmlFor={ids.wrapUp}>Session wrap-up, seconds</label>
        <input
          id={ids.wrapUp}
          type="number"
          min={WRAP_UP_SECONDS_MIN}
          max={WRAP_UP_SECONDS_MAX}
          step="1"
          value={wrapUp}
          onChange={(e) => setWrapUp(e.target.value)}
          placeholder="until the disposition is saved"
        />
        <small className="muted">After a connected call in a power-dial session, the session dials on after this long, or (empty) when the rep saves the disposition.</small>
      </div>
      <fieldset className="fieldset">
        <legend>Calling window and attempt limits (empty: the workspace’s)</legend>
        <div className="field-row">
          <div className="field">
            <label htmlFor={ids.windowStart}>Calls from</label>
            <input id={ids.windowStart} type="time" min="08:00" max="21:00" value={fields.callingWindowStart ?? ''} onChange={(e) => set({ callingWindowStart: e.target.value || null })} />
          </div>
          <div className="field">
            <label htmlFor={ids.windowEnd}>Calls until</label>
            <input id={ids.windowEnd} type="time" min="08:00" max="21:00" value={fields.callingWindowEnd ?? ''} onChange={(e) => set({ callingWindowEnd: e.target.value || null })} />
          </div>
          <div className="field">
            <label htmlFor={ids.lifetime}>Attempts in all</label>
            <input id={ids.lifetime} type="number" min="1" step="1" value={caps.lifetime} onChange={(e) => setCaps({ ...caps, lifetime: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={ids.perDay}>Attempts per day</label>
            <input id={ids.perDay} type="number" min="1" step="1" value={caps.perDay} onChange={(e) => setCaps({ ...caps, perDay: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={ids.per24h}>Attempts per 24 h</label>
            <input id={ids.per24h} type="number" min="1" step="1" value={caps.per24h} onChange={(e) => setCaps({ ...caps, per24h: e.target.value })} />
          </div>
        </div>
        <small className="muted">In the callee’s local time. A list only narrows the workspace’s window and limits, never widens them.</small>
      </fieldset>
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
                    {list.wrap_up_seconds ? ` · wrap-up ${list.wrap_up_seconds} s` : ''}
                    {list.recording_enabled ? ' · recorded' : ''}
                    {list.voicemail_action === 'leave' ? ' · leaves a voicemail' : ''}
                    {list.calling_window_start && list.calling_window_end ? ` · calls ${shortTime(list.calling_window_start)}–${shortTime(list.calling_window_end)}` : ''}
                    {list.max_attempts_lifetime ? ` · at most ${list.max_attempts_lifetime} attempts` : ''}
                    {list.max_attempts_per_day ? ` · ${list.max_attempts_per_day} a day` : ''}
                    {list.max_attempts_per_24h ? ` · ${list.max_attempts_per_24h} per 24 h` : ''}
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

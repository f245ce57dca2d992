import { useId, useState } from 'react';
import { useSupabase } from '../../../../src/client/use-call-subscription.js';
import { isCountryCode, normalizePhoneNumber } from '../../../../src/core/phone-number.js';
import { RECORDING_CONSENT_MODES, setComplianceSettings, shortTime, type ComplianceSettings, type RecordingConsentMode } from '../../lib/compliance-api.js';
import { useWorkspace } from '../../lib/workspace-context.js';

const CONSENT_MODE_LABEL: Readonly<Record<RecordingConsentMode, string>> = {
  notice: 'Play the consent notice, then record',
  do_not_record: 'Do not record those calls',
};

interface Draft {
  windowStart: string;
  windowEnd: string;
  lifetime: string;
  perDay: string;
  per24h: string;
  abandonmentLimit: string;
  consentMode: RecordingConsentMode;
  consentNotice: string;
  callerName: string;
  optOutNumber: string;
}

const toDraft = (s: ComplianceSettings): Draft => ({
  windowStart: shortTime(s.callingWindowStart),
  windowEnd: shortTime(s.callingWindowEnd),
  lifetime: String(s.maxAttemptsLifetime ?? ''),
  perDay: String(s.maxAttemptsPerDay ?? ''),
  per24h: String(s.maxAttemptsPer24h ?? ''),
  abandonmentLimit: String(s.abandonmentLimitPercent),
  consentMode: s.recordingConsentMode,
  consentNotice: s.consentNotice,
  callerName: s.safeHarborCallerName ?? '',
  optOutNumber: s.safeHarborOptOutNumber ?? '',
});

const readCap = (text: string): number | null | 'invalid' => {
  if (text.trim() === '') return null;
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : 'invalid';
};

/** The draft as the settings to send, or what is wrong with it (the server checks again). */
function readDraft(draft: Draft, country: string): { ok: true; settings: ComplianceSettings } | { ok: false; message: string } {
  if (!(draft.windowStart >= '08:00' && draft.windowEnd <= '21:00' && draft.windowStart < draft.windowEnd)) {
    return { ok: false, message: 'The calling window lies within 08:00–21:00 (47 CFR 64.1200(c)(1)) and starts before it ends.' };
  }
  const lifetime = readCap(draft.lifetime);
  const perDay = readCap(draft.perDay);
  const per24h = readCap(draft.per24h);
  if (lifetime === 'invalid' || perDay === 'invalid' || per24h === 'invalid') return { ok: false, message: 'An attempt limit is a whole number of 1 or more, or empty for none.' };
  const limit = Number(draft.abandonmentLimit);
  if (draft.abandonmentLimit.trim() === '' || !(limit >= 0 && limit <= 3)) return { ok: false, message: 'The abandonment limit is a percentage from 0 to 3 (the TCPA’s 3% is the most).' };
  const notice = draft.consentNotice.trim();
  if (notice.length < 1 || notice.length > 500) return { ok: false, message: 'The consent notice is 1 to 500 characters.' };
  let optOut: string | null = null;
  if (draft.optOutNumber.trim() !== '') {
    const phone = normalizePhoneNumber(draft.optOutNumber, isCountryCode(country) ? country : 'US');
    if (!phone.ok) return { ok: false, message: `Opt-out number: ${phone.error.message}` };
    optOut = phone.value.e164;
  }
  return {
    ok: true,
    settings: {
      callingWindowStart: draft.windowStart,
      callingWindowEnd: draft.windowEnd,
      maxAttemptsLifetime: lifetime,
      maxAttemptsPerDay: perDay,
      maxAttemptsPer24h: per24h,
      abandonmentLimitPercent: limit,
      recordingConsentMode: draft.consentMode,
      consentNotice: notice,
      safeHarborCallerName: draft.callerName.trim() || null,
      safeHarborOptOutNumber: optOut,
    },
  };
}

/** The workspace's compliance rules: admins change them, managers read them. */
export function ComplianceRules({ settings, canEdit, onSaved }: { settings: ComplianceSettings; canEdit: boolean; onSaved(settings: ComplianceSettings): void }) {
  const supabase = useSupabase();
  const { info } = useWorkspace();
  const [draft, setDraft] = useState(() => toDraft(settings));
  const [message, setMessage] = useState<{ tone: 'good' | 'bad'; text: string } | null>(null);
  const [isSaving, setSaving] = useState(false);
  const ids = {
    start: useId(),
    end: useId(),
    lifetime: useId(),
    perDay: useId(),
    per24h: useId(),
    limit: useId(),
    mode: useId(),
    notice: useId(),
    callerName: useId(),
    optOut: useId(),
  };
  const patch = (change: Partial<Draft>) => {
    setMessage(null);
    setDraft((before) => ({ ...before, ...change }));
  };

  async function save() {
    const read = readDraft(draft, info?.workspace.defaultCountry ?? 'US');
    if (!read.ok) return setMessage({ tone: 'bad', text: read.message });
    setSaving(true);
    const result = await setComplianceSettings(supabase, read.settings);
    setSaving(false);
    if (!result.ok) return setMessage({ tone: 'bad', text: result.error.message });
    setDraft(toDraft(result.value.settings));
    setMessage({ tone: 'good', text: 'Compliance settings saved.' });
    onSaved(result.value.settings);
  }

  return (
    <form
      className="settings"
      aria-label="Compliance settings"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      {!canEdit && <p className="notice notice--warn">Only an admin changes these rules; you see them as they are.</p>}
      <fieldset className="fieldset" disabled={!canEdit}>
        <legend>Calling window (the callee’s local time)</legend>
        <div className="field-row">
          <div className="field">
            <label htmlFor={ids.start}>Calls from</label>
            <input id={ids.start} type="time" min="08:00" max="21:00" value={draft.windowStart} onChange={(e) => patch({ windowStart: e.target.value })} required />
          </div>
          <div className="field">
            <label htmlFor={ids.end}>Calls until</label>
            <input id={ids.end} type="time" min="08:00" max="21:00" value={draft.windowEnd} onChange={(e) => patch({ windowEnd: e.target.value })} required />
          </div>
        </div>
        <small className="muted">Never wider than 08:00–21:00 (47 CFR 64.1200(c)(1)). A list and a state’s rule below only narrow it.</small>
      </fieldset>
      <fieldset className="fieldset" disabled={!canEdit}>
        <legend>Attempt limits, per lead and per number (empty: none)</legend>
        <div className="field-row">
          <div className="field">
            <label htmlFor={ids.lifetime}>Attempts in all</label>
            <input id={ids.lifetime} type="number" min="1" step="1" value={draft.lifetime} onChange={(e) => patch({ lifetime: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={ids.perDay}>Attempts per day</label>
            <input id={ids.perDay} type="number" min="1" step="1" value={draft.perDay} onChange={(e) => patch({ perDay: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={ids.per24h}>Attempts per 24 h</label>
            <input id={ids.per24h} type="number" min="1" step="1" value={draft.per24h} onChange={(e) => patch({ per24h: e.target.value })} />
          </div>
        </div>
        <small className="muted">A day is the callee’s calendar day. A list may set stricter limits.</small>
      </fieldset>
      <fieldset className="fieldset" disabled={!canEdit}>
        <legend>Abandoned calls</legend>
        <div className="field-row">
          <div className="field">
            <label htmlFor={ids.limit}>Abandonment limit (%)</label>
            <input id={ids.limit} type="number" min="0" max="3" step="0.01" value={draft.abandonmentLimit} onChange={(e) => patch({ abandonmentLimit: e.target.value })} required />
          </div>
          <div className="field">
            <label htmlFor={ids.callerName}>Safe-harbor caller name</label>
            <input id={ids.callerName} value={draft.callerName} onChange={(e) => patch({ callerName: e.target.value })} maxLength={200} placeholder={info?.workspace.name ?? 'the workspace’s name'} />
          </div>
          <div className="field">
            <label htmlFor={ids.optOut}>Opt-out number</label>
            <input id={ids.optOut} type="tel" value={draft.optOutNumber} onChange={(e) => patch({ optOutNumber: e.target.value })} placeholder="the call’s caller ID" />
          </div>
        </div>
        <small className="muted">
          Rolling 30 days; at most 3% (47 CFR 64.1200(a)(7)(i)). Above it, power dialing drops to one line. An abandoned call hears who is calling and a number to opt out.
        </small>
      </fieldset>
      <fieldset className="fieldset" disabled={!canEdit}>
        <legend>Recording in all-party-consent states</legend>
        <div className="field">
          <label htmlFor={ids.mode}>When a recorded call reaches such a state</label>
          <select id={ids.mode} value={draft.consentMode} onChange={(e) => patch({ consentMode: e.target.value === 'do_not_record' ? 'do_not_record' : 'notice' })}>
            {RECORDING_CONSENT_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {CONSENT_MODE_LABEL[mode]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.notice}>Consent notice</label>
          <textarea id={ids.notice} rows={2} maxLength={500} value={draft.consentNotice} onChange={(e) => patch({ consentNotice: e.target.value })} />
        </div>
      </fieldset>
      {canEdit && (
        <div className="settings__actions">
          <button type="submit" className="button button--primary" disabled={isSaving}>
            {isSaving ? 'Saving…' : 'Save compliance settings'}
          </button>
          {message && (
            <p className={message.tone === 'good' ? 'is-valid' : 'form-error'} role={message.tone === 'good' ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
        </div>
      )}
    </form>
  );
}

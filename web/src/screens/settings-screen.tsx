import { useEffect, useId, useState } from 'react';
import { normalizePhoneNumber } from '../../../src/core/phone-number.js';
import { useSettings, type DialerSettings } from '../lib/settings-context.js';
import { DemoSettingsFields, readMockDraft, toMockDraft, type MockDraft } from './demo-settings-fields.js';
import { SimulatedClock } from './simulated-clock.js';

interface Draft {
  useMockDialer: boolean;
  defaultAmd: boolean;
  defaultRecording: boolean;
  voicemailAction: DialerSettings['voicemail_action'];
  callerId: string;
  mock: MockDraft;
}

const toDraft = (s: DialerSettings): Draft => ({
  useMockDialer: s.use_mock_dialer,
  defaultAmd: s.default_amd,
  defaultRecording: s.default_recording,
  voicemailAction: s.voicemail_action,
  callerId: s.caller_id ?? '',
  mock: toMockDraft(s.mock_config),
});

/** Demo mode, simulated-call behaviour, AMD and recording defaults, caller ID. */
export function SettingsScreen() {
  const { settings, isTwilioConfigured, loadError, save } = useSettings();
  const [draft, setDraft] = useState<Draft | null>(settings ? toDraft(settings) : null);
  const [message, setMessage] = useState<{ tone: 'good' | 'bad'; text: string } | null>(null);
  const [isSaving, setSaving] = useState(false);
  const ids = { demo: useId(), amd: useId(), recording: useId(), voicemail: useId(), callerId: useId(), callerIdHint: useId() };

  useEffect(() => {
    if (settings) setDraft((current) => current ?? toDraft(settings));
  }, [settings]);

  if (loadError) return <p className="form-error" role="alert">Could not load your settings: {loadError.message}</p>;
  if (!draft) return <p className="muted">Loading…</p>;
  const current = draft;

  async function onSave() {
    const mock = readMockDraft(current.mock);
    if (!mock.ok) return setMessage({ tone: 'bad', text: mock.message });
    const callerId = current.callerId.trim() === '' ? null : normalizePhoneNumber(current.callerId);
    if (callerId && !callerId.ok) return setMessage({ tone: 'bad', text: `Caller ID: ${callerId.error.message}` });
    setSaving(true);
    const result = await save({
      use_mock_dialer: current.useMockDialer,
      default_amd: current.defaultAmd,
      default_recording: current.defaultRecording,
      voicemail_action: current.voicemailAction,
      caller_id: callerId ? callerId.value.e164 : null,
      mock_config: mock.config,
    });
    setSaving(false);
    if (!result.ok) return setMessage({ tone: 'bad', text: result.error.message });
    setDraft(toDraft(result.value));
    setMessage({ tone: 'good', text: 'Settings saved.' });
  }

  const patch = (change: Partial<Draft>) => {
    setMessage(null);
    setDraft({ ...current, ...change });
  };
  return (
    <section className="card" aria-labelledby="settings-title">
      <header className="card__header">
        <h2 id="settings-title">Settings</h2>
      </header>
      <form
        className="settings"
        onSubmit={(event) => {
          event.preventDefault();
          void onSave();
        }}
      >
        <div className="switch-row">
          <input id={ids.demo} type="checkbox" role="switch" checked={current.useMockDialer} onChange={(e) => patch({ useMockDialer: e.target.checked })} />
          <label htmlFor={ids.demo}>
            <strong>Demo mode</strong>
            <span className="muted block">Calls are simulated on this server; nobody is actually dialled.</span>
          </label>
        </div>
        {!current.useMockDialer && !isTwilioConfigured && (
          <p className="notice notice--warn">This server has no Twilio credentials, so real calls will be refused until an administrator sets them up.</p>
        )}
        {current.useMockDialer && <DemoSettingsFields draft={current.mock} onChange={(mock) => patch({ mock })} />}
        {current.useMockDialer && settings?.use_mock_dialer && <SimulatedClock />}
        <fieldset className="fieldset">
          <legend>Call defaults</legend>
          <div className="switch-row">
            <input id={ids.amd} type="checkbox" checked={current.defaultAmd} onChange={(e) => patch({ defaultAmd: e.target.checked })} />
            <label htmlFor={ids.amd}>Detect answering machines (AMD)</label>
          </div>
          <div className="switch-row">
            <input id={ids.recording} type="checkbox" checked={current.defaultRecording} onChange={(e) => patch({ defaultRecording: e.target.checked })} />
            <label htmlFor={ids.recording}>Record calls</label>
          </div>
          <div className="field">
            <label htmlFor={ids.voicemail}>When a machine answers</label>
            <select id={ids.voicemail} value={current.voicemailAction} onChange={(e) => patch({ voicemailAction: e.target.value === 'leave' ? 'leave' : 'hangup' })}>
              <option value="hangup">Hang up</option>
              <option value="leave">Leave a voicemail</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.callerId}>Caller ID</label>
            <input id={ids.callerId} type="tel" value={current.callerId} onChange={(e) => patch({ callerId: e.target.value })} placeholder="+14155550123" aria-describedby={ids.callerIdHint} />
            <small id={ids.callerIdHint} className="muted">
              The number people see when you call. Leave empty for the server’s default.
            </small>
          </div>
        </fieldset>
        <div className="settings__actions">
          <button type="submit" className="button button--primary" disabled={isSaving}>
            {isSaving ? 'Saving…' : 'Save settings'}
          </button>
          {message && (
            <p className={message.tone === 'good' ? 'is-valid' : 'form-error'} role={message.tone === 'good' ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
        </div>
      </form>
    </section>
  );
}

import { useId, useState } from 'react';
import { useSettings } from '../lib/settings-context.js';
import { demoClockOffset, offsetFor, toLocalInput } from '../lib/simulated-clock.js';
import { useNow } from '../lib/use-now.js';

const shown = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
/** Where calling hours are most often tried: the simulated time in the four mainland US zones. */
const US_ZONES = [
  { label: 'Pacific', zone: 'America/Los_Angeles' },
  { label: 'Mountain', zone: 'America/Denver' },
  { label: 'Central', zone: 'America/Chicago' },
  { label: 'Eastern', zone: 'America/New_York' },
] as const;
const clocks = new Map<string, Intl.DateTimeFormat>();
const clock = (zone: string) => {
  let format = clocks.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clocks.set(zone, format);
  }
  return format;
};

/** Most a simulated clock may be off the real one (the database's check, 0018): 366 days. */
const MAX_OFFSET_SECONDS = 366 * 86_400;

/**
 * Demo mode only: the time the dial gate sees for simulated calls (`demo_clock_offset_seconds`),
 * so calling hours can be tried without waiting for the evening. Real calls use the real clock.
 */
export function SimulatedClock() {
  const { settings, save } = useSettings();
  const now = useNow();
  const offset = demoClockOffset(settings);
  const [draft, setDraft] = useState('');
  const [message, setMessage] = useState<{ tone: 'good' | 'bad'; text: string } | null>(null);
  const [isSaving, setSaving] = useState(false);
  const ids = { input: useId(), hint: useId() };
  const simulated = now + (offset ?? 0) * 1000;

  async function apply(seconds: number | null) {
    if (seconds !== null && Math.abs(seconds) > MAX_OFFSET_SECONDS) return setMessage({ tone: 'bad', text: 'The simulated clock may be at most a year away from now.' });
    setSaving(true);
    const result = await save({ demo_clock_offset_seconds: seconds });
    setSaving(false);
    if (!result.ok) return setMessage({ tone: 'bad', text: result.error.message });
    setDraft('');
    setMessage({ tone: 'good', text: seconds === null ? 'The clock is real again.' : 'Simulated clock set.' });
  }

  return (
    <fieldset className="fieldset" data-testid="simulated-clock">
      <legend>Simulated clock</legend>
      <p className="muted" id={ids.hint}>
        Demo calls are checked against calling hours at this time instead of now, so you can see a call refused in the evening without waiting.
        Real calls always use the real clock.
      </p>
      <p data-testid="simulated-time" data-offset={offset ?? ''}>
        {offset === null ? (
          <>The gate uses the real clock.</>
        ) : (
          <>
            Simulated time: <strong>{shown.format(simulated)}</strong> {day.format(simulated)} (your time zone)
          </>
        )}
      </p>
      {offset !== null && (
        <p className="muted" data-testid="simulated-zones">
          Then it is {US_ZONES.map(({ label, zone }) => `${clock(zone).format(simulated)} ${label}`).join(' · ')}.
        </p>
      )}
      <div className="field">
        <label htmlFor={ids.input}>Simulated date and time (your time zone)</label>
        <input id={ids.input} type="datetime-local" value={draft || toLocalInput(simulated)} onChange={(e) => setDraft(e.target.value)} aria-describedby={ids.hint} />
      </div>
      <div className="toolbar">
        <button
          type="button"
          className="button button--secondary button--small"
          disabled={isSaving || draft === ''}
          onClick={() => {
            const seconds = offsetFor(draft, Date.now());
            if (seconds === null) return setMessage({ tone: 'bad', text: 'Enter a date and a time.' });
            void apply(seconds);
          }}
        >
          Set clock
        </button>
        <button type="button" className="button button--ghost button--small" disabled={isSaving || offset === null} onClick={() => void apply(null)}>
          Reset
        </button>
        {message && (
          <span className={message.tone === 'good' ? 'is-valid' : 'form-error'} role={message.tone === 'good' ? 'status' : 'alert'}>
            {message.text}
          </span>
        )}
      </div>
    </fieldset>
  );
}

import { useEffect, useId, useMemo, useState } from 'react';
import { useDialerCallSubscription } from '../../../src/client/use-call-subscription.js';
import { isTerminal } from '../../../src/core/call-status.js';
import { normalizePhoneNumber } from '../../../src/core/phone-number.js';
import { useSettings } from '../lib/settings-context.js';
import { useCallActions } from '../lib/use-place-call.js';
import { FINAL_OUTCOME_HOLD_MS, useShownCall } from '../lib/use-shown-call.js';
import type { LineNumber } from '../lib/watch-lines.js';
import { CallError } from './call-error.js';
import { CallStatusView } from './call-status-view.js';
import { Keypad } from './keypad.js';
import { LinePicker } from './line-picker.js';
import { NumberField } from './number-field.js';
import { WatchModeIndicator } from './watch-mode-indicator.js';

const isEditable = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** Dials any number by hand and follows that call to its end (calls with no lead). */
export function PhoneDialer({ userEmail }: { userEmail: string }) {
  const { call, mode } = useDialerCallSubscription(userEmail);
  const { shown, markOwn } = useShownCall(call, FINAL_OUTCOME_HOLD_MS);
  const actions = useCallActions(userEmail);
  const { settings } = useSettings();
  const [number, setNumber] = useState('');
  const [line, setLine] = useState<LineNumber>(1);
  const hintId = useId();
  const titleId = useId();
  const checked = useMemo(() => normalizePhoneNumber(number, 'US', { canHaveExtension: true }), [number]);
  const isLive = shown !== null && !isTerminal(shown.status);
  const reason = !settings ? 'Loading your settings…' : isLive ? 'Hang up the current call first.' : null;
  const canCall = checked.ok && reason === null && !actions.isBusy;

  async function dial() {
    if (!checked.ok || !canCall) return;
    const placed = await actions.place({ to: checked.value.e164, extension: checked.value.extension, lineNumber: line });
    if (placed) markOwn(placed.callId);
  }

  // Digits typed anywhere on the page (outside other fields and dialogs) go into the number.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isEditable(event.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (/^[0-9+]$/.test(event.key)) setNumber((n) => n + event.key);
      else if (event.key === 'Backspace') setNumber((n) => n.slice(0, -1));
      else return;
      event.preventDefault();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <section className="card dialer" aria-labelledby={titleId}>
      <header className="card__header">
        <h2 id={titleId}>Phone dialer</h2>
        <WatchModeIndicator mode={mode} />
      </header>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void dial();
        }}
      >
        <NumberField value={number} onChange={setNumber} checked={checked} hintId={hintId} />
        <Keypad onKey={(key) => setNumber((n) => n + key)} onDelete={() => setNumber((n) => n.slice(0, -1))} isDisabled={false} />
        <LinePicker value={line} onChange={setLine} isDisabled={isLive} />
        <div className="dialer__actions">
          {isLive ? (
            <button type="button" className="button button--danger button--wide" onClick={() => void actions.hangUp(shown)} disabled={!shown.call_sid}>
              Hang up
            </button>
          ) : (
            <button type="submit" className="button button--call button--wide" disabled={!canCall} aria-describedby={hintId}>
              {actions.isBusy ? 'Calling…' : 'Call'}
            </button>
          )}
        </div>
        {reason && !isLive && <p className="dialer__reason">{reason}</p>}
      </form>
      {actions.notice && (
        <p className="notice notice--good" role="status">
          {actions.notice}
        </p>
      )}
      {actions.error && <CallError error={actions.error} onUseDemoMode={() => void actions.switchToDemoMode()} />}
      <div className="dialer__status" data-testid="dialer-status">
        {shown ? <CallStatusView call={shown} /> : <p className="idle">Idle: no call on the dialer.</p>}
      </div>
    </section>
  );
}

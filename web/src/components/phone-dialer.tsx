import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { isTerminal } from '../../../src/core/call-status.js';
import { normalizePhoneNumber } from '../../../src/core/phone-number.js';
import { useSettings } from '../lib/settings-context.js';
import { demoClockOffset } from '../lib/simulated-clock.js';
import { useDialCheck } from '../lib/use-dial-check.js';
import { useLiveLines } from '../lib/use-live-lines.js';
import { useCallActions } from '../lib/use-place-call.js';
import { FINAL_OUTCOME_HOLD_MS } from '../lib/use-shown-call.js';
import { useShownLines } from '../lib/use-shown-lines.js';
import { busyLines, firstFreeLine, type LineNumber } from '../lib/watch-lines.js';
import { CallError } from './call-error.js';
import { CallStatusView } from './call-status-view.js';
import { DialCheck } from './dial-check.js';
import { Keypad } from './keypad.js';
import { LinePicker } from './line-picker.js';
import { NumberField } from './number-field.js';
import { WatchModeIndicator } from './watch-mode-indicator.js';

const isEditable = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

const NO_NUMBERS: Readonly<Record<LineNumber, string>> = { 1: '', 2: '', 3: '' };

/**
 * Dials any number by hand, one line at a time: each line has its own number and status, so a
 * free line can be dialed while another is live. The selected line is this window's choice: a
 * call placed elsewhere (another window, a lead's call) shows on its own line and never moves it.
 */
export function PhoneDialer({ userEmail }: { userEmail: string }) {
  const { lines, mode, isLoaded } = useLiveLines(userEmail);
  const { shown: shownLines, markOwn } = useShownLines(lines, FINAL_OUTCOME_HOLD_MS);
  const busy = busyLines(lines);
  const actions = useCallActions(userEmail);
  const { settings } = useSettings();
  const [picked, setPicked] = useState<LineNumber | null>(null);
  const line = picked ?? 1;
  const [numbers, setNumbers] = useState(NO_NUMBERS);
  const number = numbers[line];
  const lineRef = useRef(line);
  lineRef.current = line;
  // The dialer starts on the first line that is free when the lines are first read, and stays there.
  const firstFree = firstFreeLine(busy);
  useEffect(() => {
    if (isLoaded) setPicked((current) => current ?? firstFree ?? 1);
  }, [isLoaded, firstFree]);
  const hintId = useId();
  const titleId = useId();
  const checked = useMemo(() => normalizePhoneNumber(number, 'US', { canHaveExtension: true }), [number]);
  const shown = shownLines[line];
  const isLive = shown !== null && !isTerminal(shown.status);
  const reason = !settings ? 'Loading your settings…' : null;
  const canCall = checked.ok && reason === null && !actions.isBusy && !busy[line];
  // Asked again when a call on this line ends (its attempt counts), a dial is refused, the
  // simulated clock moves, or the number is put on the do-not-call list from here.
  const [listed, setListed] = useState(0);
  const dialCheck = useDialCheck(
    checked.ok && settings ? { to: checked.value.e164, extension: checked.value.extension, mock: settings.use_mock_dialer } : null,
    `${shown?.id ?? ''}:${isLive}:${actions.error?.code ?? ''}:${demoClockOffset(settings) ?? ''}:${listed}`,
  );

  function editNumber(update: (number: string) => string) {
    const target = lineRef.current;
    setPicked(target);
    setNumbers((all) => ({ ...all, [target]: update(all[target]) }));
  }

  async function dial() {
    if (!checked.ok || !canCall) return;
    const onLine = line;
    setPicked(onLine);
    const placed = await actions.place({ to: checked.value.e164, extension: checked.value.extension, lineNumber: onLine });
    if (placed) markOwn(placed.callId);
  }

  // Digits typed anywhere on the page (outside other fields and dialogs) go into the selected line's number.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isEditable(event.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (/^[0-9+]$/.test(event.key)) editNumber((n) => n + event.key);
      else if (event.key === 'Backspace') editNumber((n) => n.slice(0, -1));
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
        data-line={line}
      >
        <LinePicker value={line} onChange={setPicked} busy={busy} />
        <NumberField value={number} onChange={(value) => editNumber(() => value)} checked={checked} hintId={hintId} />
        <Keypad onKey={(key) => editNumber((n) => n + key)} onDelete={() => editNumber((n) => n.slice(0, -1))} isDisabled={false} />
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
        {!isLive && <DialCheck state={dialCheck} to={checked.ok ? checked.value.e164 : null} onChanged={() => setListed((n) => n + 1)} />}
        {reason && <p className="dialer__reason">{reason}</p>}
        {isLive && firstFree !== null && <p className="dialer__reason">Line {line} is on a call. Pick line {firstFree} to dial another number at the same time.</p>}
      </form>
      {actions.notice && (
        <p className="notice notice--good" role="status">
          {actions.notice}
        </p>
      )}
      {actions.error && <CallError error={actions.error} onUseDemoMode={() => void actions.switchToDemoMode()} />}
      <div className="dialer__status" data-testid="dialer-status" data-line={line}>
        {shown ? <CallStatusView call={shown} /> : <p className="idle">Idle: no call on line {line}.</p>}
      </div>
    </section>
  );
}

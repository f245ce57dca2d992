import { useId } from 'react';
import { LINE_NUMBERS, type LineNumber } from '../lib/watch-lines.js';

const NONE_BUSY: Readonly<Record<LineNumber, boolean>> = { 1: false, 2: false, 3: false };

/**
 * Chooses which of the three lines the next call goes out on, and says which are busy. A busy
 * line can still be picked where the picker also shows that line's call (the PhoneDialer, to
 * hang it up); with `canPickBusy` false (a lead's call window) it cannot.
 */
export function LinePicker({
  value,
  onChange,
  busy = NONE_BUSY,
  canPickBusy = true,
  isDisabled = false,
}: {
  value: LineNumber;
  onChange(line: LineNumber): void;
  busy?: Readonly<Record<LineNumber, boolean>>;
  canPickBusy?: boolean;
  isDisabled?: boolean;
}) {
  const name = useId();
  return (
    <fieldset className="line-picker" disabled={isDisabled} data-testid="line-picker">
      <legend>Line</legend>
      {LINE_NUMBERS.map((line) => (
        <label key={line} className={`line-picker__option ${busy[line] ? 'is-busy' : ''}`} title={busy[line] ? `Line ${line} has a call` : `Line ${line} is free`}>
          <input
            type="radio"
            name={name}
            value={line}
            checked={value === line}
            onChange={() => onChange(line)}
            disabled={busy[line] && !canPickBusy}
            aria-label={busy[line] ? `Line ${line} (busy)` : `Line ${line}`}
            data-busy={busy[line]}
          />
          <span>
            {line}
            {busy[line] && <i className="line-picker__dot" aria-hidden="true" />}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

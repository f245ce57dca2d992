import { useId } from 'react';
import { LINE_NUMBERS, type LineNumber } from '../lib/watch-lines.js';

/** Chooses which of the three lines the next call goes out on. */
export function LinePicker({ value, onChange, isDisabled = false }: { value: LineNumber; onChange(line: LineNumber): void; isDisabled?: boolean }) {
  const name = useId();
  return (
    <fieldset className="line-picker" disabled={isDisabled}>
      <legend>Line</legend>
      {LINE_NUMBERS.map((line) => (
        <label key={line} className="line-picker__option">
          <input type="radio" name={name} value={line} checked={value === line} onChange={() => onChange(line)} aria-label={`Line ${line}`} />
          <span>{line}</span>
        </label>
      ))}
    </fieldset>
  );
}

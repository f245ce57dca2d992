import { useId, type ClipboardEvent } from 'react';
import type { Result } from '../../../src/core/errors.js';
import type { NormalizedPhone } from '../../../src/core/phone-number.js';
import { cleanPastedNumber } from '../lib/clean-pasted-number.js';
import { describeCountry } from '../lib/labels.js';

/**
 * The number being dialled, checked as it is typed with the server's own rules: it shows the
 * E.164 form and the country, or why the number cannot be called.
 */
export function NumberField({ value, onChange, checked, hintId }: { value: string; onChange(value: string): void; checked: Result<NormalizedPhone>; hintId: string }) {
  const inputId = useId();
  function onPaste(event: ClipboardEvent<HTMLInputElement>) {
    event.preventDefault();
    const input = event.currentTarget;
    const pasted = cleanPastedNumber(event.clipboardData.getData('text'));
    const start = input.selectionStart ?? value.length;
    const end = input.selectionEnd ?? value.length;
    onChange(value.slice(0, start) + pasted + value.slice(end));
  }
  return (
    <div className="number-field">
      <label htmlFor={inputId}>Phone number</label>
      <input
        id={inputId}
        className={`number-field__input ${value !== '' && !checked.ok ? 'is-invalid' : ''}`}
        type="tel"
        inputMode="tel"
        autoComplete="off"
        placeholder="+1 415 555 0123"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onPaste={onPaste}
        aria-invalid={value !== '' && !checked.ok}
        aria-describedby={hintId}
      />
      <p id={hintId} className={`number-field__hint ${checked.ok ? 'is-valid' : value === '' ? '' : 'is-invalid'}`} aria-live="polite" data-testid="number-hint">
        {checked.ok
          ? `${checked.value.e164}${checked.value.extension ? ` ext. ${checked.value.extension}` : ''} · ${describeCountry(checked.value.country)}`
          : value === ''
            ? 'Type or paste a number, or use the keypad. Without a +, it is read as a US number.'
            : checked.error.message}
      </p>
    </div>
  );
}

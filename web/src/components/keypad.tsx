const KEYS = [
  { key: '1', letters: '' },
  { key: '2', letters: 'ABC' },
  { key: '3', letters: 'DEF' },
  { key: '4', letters: 'GHI' },
  { key: '5', letters: 'JKL' },
  { key: '6', letters: 'MNO' },
  { key: '7', letters: 'PQRS' },
  { key: '8', letters: 'TUV' },
  { key: '9', letters: 'WXYZ' },
  { key: '+', letters: '' },
  { key: '0', letters: '' },
] as const;

/** The dial pad: each key types its character into the number; the last key deletes one. */
export function Keypad({ onKey, onDelete, isDisabled }: { onKey(key: string): void; onDelete(): void; isDisabled: boolean }) {
  return (
    <div className="keypad" role="group" aria-label="Keypad">
      {KEYS.map(({ key, letters }) => (
        <button key={key} type="button" className="keypad__key" onClick={() => onKey(key)} disabled={isDisabled} aria-label={key === '+' ? 'Plus' : key}>
          <span className="keypad__digit">{key}</span>
          <span className="keypad__letters" aria-hidden="true">
            {letters}
          </span>
        </button>
      ))}
      <button type="button" className="keypad__key keypad__key--delete" onClick={onDelete} disabled={isDisabled} aria-label="Delete last digit">
        <span className="keypad__digit" aria-hidden="true">
          ⌫
        </span>
      </button>
    </div>
  );
}

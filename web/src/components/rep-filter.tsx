import { useId } from 'react';

/** Chooses one rep's rows, or everyone's (managers and admins). */
export function RepFilter({ emails, value, onChange }: { emails: readonly string[]; value: string; onChange(email: string): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Rep</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Everyone</option>
        {emails.map((email) => (
          <option key={email} value={email}>
            {email}
          </option>
        ))}
      </select>
    </div>
  );
}

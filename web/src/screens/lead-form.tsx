import { useId, useMemo, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { normalizePhoneNumber } from '../../../src/core/phone-number.js';
import { describeCountry } from '../lib/labels.js';

/** Adds one lead; the number is checked and stored in E.164. */
export function LeadForm({ userEmail, onAdded }: { userEmail: string; onAdded(): void }) {
  const supabase = useSupabase();
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [company, setCompany] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const ids = { name: useId(), phone: useId(), phoneHint: useId(), company: useId(), email: useId() };
  const checked = useMemo(() => normalizePhoneNumber(phone), [phone]);

  async function add() {
    if (name.trim() === '') return setError('Enter the lead’s name.');
    if (!checked.ok) return setError(checked.error.message);
    setSaving(true);
    setError(null);
    const { error: insertError } = await supabase
      .from('leads')
      .insert({ user_email: userEmail, name: name.trim(), phone: checked.value.e164, company: company.trim() || null, email: email.trim() || null });
    setSaving(false);
    if (insertError) return setError(`Could not add the lead: ${insertError.message}`);
    setName('');
    setPhone('');
    setCompany('');
    setEmail('');
    onAdded();
  }

  return (
    <form
      className="lead-form"
      aria-label="Add a lead"
      onSubmit={(event) => {
        event.preventDefault();
        void add();
      }}
    >
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
      </div>
      <div className="field">
        <label htmlFor={ids.phone}>Phone</label>
        <input id={ids.phone} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} aria-describedby={ids.phoneHint} aria-invalid={phone !== '' && !checked.ok} required />
        <small id={ids.phoneHint} className={checked.ok ? 'is-valid' : 'muted'}>
          {checked.ok ? `${checked.value.e164} · ${describeCountry(checked.value.country)}` : phone === '' ? 'Any format; +country code for outside the US' : 'Not a valid number yet'}
        </small>
      </div>
      <div className="field">
        <label htmlFor={ids.company}>Company</label>
        <input id={ids.company} value={company} onChange={(e) => setCompany(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.email}>Email</label>
        <input id={ids.email} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <button type="submit" className="button button--primary" disabled={isSaving}>
        Add lead
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

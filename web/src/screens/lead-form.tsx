import { useId, useMemo, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { isCountryCode, normalizePhoneNumber } from '../../../src/core/phone-number.js';
import type { Lead } from '../../../src/core/rows.js';
import { describeCountry } from '../lib/labels.js';
import { useWorkspace } from '../lib/workspace-context.js';

/** The workspace's country for numbers written without `+` (US until it is known). */
export function useDefaultCountry() {
  const code = useWorkspace().info?.workspace.defaultCountry ?? 'US';
  return isCountryCode(code) ? code : 'US';
}

/**
 * Adds a lead, or (with `lead`) edits one. The number is checked with the server's rules and
 * stored in E.164; an extension ("ext. 89", or its own field) is stored apart and dialed after
 * the answer, never merged into the number.
 */
export function LeadForm({ userEmail, lead, onSaved }: { userEmail: string; lead?: Lead; onSaved(): void }) {
  const supabase = useSupabase();
  const country = useDefaultCountry();
  const [name, setName] = useState(lead?.name ?? '');
  const [phone, setPhone] = useState(lead?.phone ?? '');
  const [extension, setExtension] = useState(lead?.extension ?? '');
  const [company, setCompany] = useState(lead?.company ?? '');
  const [email, setEmail] = useState(lead?.email ?? '');
  const [notes, setNotes] = useState(lead?.notes ?? '');
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const ids = { name: useId(), phone: useId(), phoneHint: useId(), extension: useId(), company: useId(), email: useId(), notes: useId() };
  const checked = useMemo(() => normalizePhoneNumber(phone, country, { canHaveExtension: true }), [phone, country]);
  const extensionDigits = extension.replace(/\D/g, '');
  const shownExtension = extensionDigits || (checked.ok ? (checked.value.extension ?? '') : '');

  async function save() {
    if (name.trim() === '') return setError('Enter the lead’s name.');
    if (!checked.ok) return setError(checked.error.message);
    if (extension.trim() !== '' && !/^\d{1,10}$/.test(extensionDigits)) return setError('An extension is 1 to 10 digits.');
    setSaving(true);
    setError(null);
    // One lead per number in the workspace (duplicates are found by E.164, as imports find them).
    // The database refuses a duplicate (migration 0017); this look-up only names the lead when the
    // member can see it (their own, or any for a manager). A number held by a lead hidden from
    // them is refused by the server with 23505, and its message is shown as it is.
    if (!lead || lead.phone !== checked.value.e164) {
      const { data: existing } = await supabase.from('leads').select('id, name').eq('phone', checked.value.e164).limit(1).maybeSingle<{ id: string; name: string }>();
      if (existing) {
        setSaving(false);
        return setError(`${existing.name} already has the number ${checked.value.e164}: open that lead instead of adding it twice.`);
      }
    }
    const fields = {
      name: name.trim(),
      phone: checked.value.e164,
      extension: shownExtension || null,
      company: company.trim() || null,
      email: email.trim() || null,
      notes: notes.trim() || null,
    };
    const { error: saveError } = lead ? await supabase.from('leads').update(fields).eq('id', lead.id) : await supabase.from('leads').insert({ user_email: userEmail, ...fields });
    setSaving(false);
    if (saveError?.code === '23505') return setError(saveError.message);
    if (saveError) return setError(`Could not ${lead ? 'save' : 'add'} the lead: ${saveError.message}`);
    if (!lead) {
      setName('');
      setPhone('');
      setExtension('');
      setCompany('');
      setEmail('');
      setNotes('');
    }
    onSaved();
  }

  return (
    <form
      className="lead-form"
      aria-label={lead ? 'Edit the lead' : 'Add a lead'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
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
          {checked.ok
            ? `${checked.value.e164}${shownExtension ? ` ext. ${shownExtension}` : ''} · ${describeCountry(checked.value.country)}`
            : phone === ''
              ? `Any format; without +, read as a number of ${describeCountry(country)}`
              : 'Not a valid number yet'}
        </small>
      </div>
      <div className="field">
        <label htmlFor={ids.extension}>Extension</label>
        <input id={ids.extension} inputMode="numeric" value={extension} onChange={(e) => setExtension(e.target.value)} maxLength={12} placeholder="optional" />
      </div>
      <div className="field">
        <label htmlFor={ids.company}>Company</label>
        <input id={ids.company} value={company} onChange={(e) => setCompany(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.email}>Email</label>
        <input id={ids.email} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      {lead && (
        <div className="field">
          <label htmlFor={ids.notes}>Notes</label>
          <textarea id={ids.notes} value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} />
        </div>
      )}
      <button type="submit" className="button button--primary" disabled={isSaving}>
        {lead ? 'Save lead' : 'Add lead'}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

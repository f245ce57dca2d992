import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { invokeFunction } from '../lib/invoke-function.js';
import { describeCountry } from '../lib/labels.js';

/**
 * The workspace's name and default country (admins, setWorkspaceSettings): numbers written
 * without `+` are read in that country (lead form, imports), unless an import chooses another.
 */
export function TeamWorkspace({ name, defaultCountry }: { name: string; defaultCountry: string }) {
  const supabase = useSupabase();
  const [workspaceName, setWorkspaceName] = useState(name);
  const [country, setCountry] = useState(defaultCountry);
  const [message, setMessage] = useState<{ isError: boolean; text: string } | null>(null);
  const ids = { name: useId(), country: useId() };

  async function save() {
    const result = await invokeFunction<{ workspace: { name: string; defaultCountry: string } }>(supabase, 'setWorkspaceSettings', {
      name: workspaceName.trim(),
      defaultCountry: country.trim().toUpperCase(),
    });
    setMessage(result.ok ? { isError: false, text: 'Saved. New numbers without + are read in this country after a reload.' } : { isError: true, text: result.error.message });
  }

  return (
    <form
      className="list-form"
      aria-label="Workspace settings"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="field">
        <label htmlFor={ids.name}>Workspace name</label>
        <input id={ids.name} value={workspaceName} onChange={(e) => setWorkspaceName(e.target.value)} maxLength={200} required />
      </div>
      <div className="field">
        <label htmlFor={ids.country}>Default country</label>
        <input id={ids.country} value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} size={3} />
        <small className="muted">{describeCountry(country.trim().toUpperCase())}</small>
      </div>
      <button type="submit" className="button button--secondary button--small">
        Save workspace
      </button>
      {message && (
        <p className={message.isError ? 'form-error' : 'notice notice--good'} role={message.isError ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

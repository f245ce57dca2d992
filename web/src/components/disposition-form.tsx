import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { TerminalStatus } from '../../../src/core/call-status.js';
import { isDisposition } from '../../../src/core/dispositions.js';
import { DISPOSITIONS, type CallLog, type Disposition, type Lead } from '../../../src/core/rows.js';
import { invokeFunction } from '../lib/invoke-function.js';
import { DISPOSITION_LABEL, LEAD_STATUS_LABEL } from '../lib/labels.js';

/** A disposition to start from, where the outcome already says it. */
const SUGGESTED: Partial<Record<TerminalStatus, Disposition>> = { voicemail_detected: 'voicemail_left', 'no-answer': 'no_answer' };

interface SavedDisposition {
  readonly callLog: CallLog;
  readonly lead: Lead | null;
  readonly leadStatusChanged: boolean;
}

/** The value of a `datetime-local` field as an ISO instant in the browser's zone. */
const toInstant = (local: string) => (local === '' ? null : new Date(local).toISOString());

/**
 * How a finished call went: the server saves the disposition and notes on the call's history
 * row and sets the lead's status in one step (`saveDisposition`). Used after a call and, to set
 * or correct it later, from History.
 */
export function DispositionForm({
  callId,
  outcome,
  initial,
  onSaved,
}: {
  callId: string;
  outcome: TerminalStatus;
  initial?: { disposition: Disposition | null; notes: string | null } | undefined;
  onSaved(message: string): void;
}) {
  const supabase = useSupabase();
  const [disposition, setDisposition] = useState<Disposition | ''>(initial?.disposition ?? SUGGESTED[outcome] ?? '');
  const [notes, setNotes] = useState(initial?.notes ?? '');
  const [callbackAt, setCallbackAt] = useState('');
  const [isSaving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { disposition: useId(), notes: useId(), callback: useId() };

  async function save() {
    if (disposition === '') return setError('Choose how the call went.');
    setSaving(true);
    setError(null);
    const result = await invokeFunction<SavedDisposition>(supabase, 'saveDisposition', {
      callId,
      disposition,
      notes: notes.trim() || null,
      ...(disposition === 'callback' ? { callbackAt: toInstant(callbackAt) } : {}),
    });
    setSaving(false);
    if (!result.ok) return setError(result.error.message);
    const { lead, leadStatusChanged } = result.value;
    onSaved(lead && leadStatusChanged ? `Saved. The lead is now “${LEAD_STATUS_LABEL[lead.status]}”.` : 'Saved.');
  }

  return (
    <form
      className="disposition"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h3>How did it go?</h3>
      <label htmlFor={ids.disposition}>Disposition</label>
      <select id={ids.disposition} value={disposition} onChange={(event) => setDisposition(isDisposition(event.target.value) ? event.target.value : '')} required>
        <option value="">Choose…</option>
        {DISPOSITIONS.map((d) => (
          <option key={d} value={d}>
            {DISPOSITION_LABEL[d]}
          </option>
        ))}
      </select>
      {disposition === 'callback' && (
        <>
          <label htmlFor={ids.callback}>Call back at</label>
          <input id={ids.callback} type="datetime-local" value={callbackAt} onChange={(event) => setCallbackAt(event.target.value)} />
        </>
      )}
      <label htmlFor={ids.notes}>Notes</label>
      <textarea id={ids.notes} rows={3} value={notes} onChange={(event) => setNotes(event.target.value)} maxLength={4000} placeholder="What was said, what to do next" />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={isSaving}>
        {isSaving ? 'Saving…' : 'Save disposition'}
      </button>
    </form>
  );
}

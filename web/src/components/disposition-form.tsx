import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { TerminalStatus } from '../../../src/core/call-status.js';
import { DISPOSITIONS, type Disposition } from '../../../src/core/rows.js';
import { DISPOSITION_LABEL, DISPOSITION_LEAD_STATUS, LEAD_STATUS_LABEL } from '../lib/labels.js';

/** A disposition to start from, where the outcome already says it. */
const SUGGESTED: Partial<Record<TerminalStatus, Disposition>> = { voicemail_detected: 'voicemail_left', 'no-answer': 'no_answer' };

const isDisposition = (value: string): value is Disposition => (DISPOSITIONS as readonly string[]).includes(value);

/**
 * After a lead's call: the disposition and notes go on the call's history row, and the
 * disposition sets the lead's status.
 */
export function DispositionForm({ callId, leadId, outcome, onSaved }: { callId: string; leadId: string; outcome: TerminalStatus; onSaved(message: string): void }) {
  const supabase = useSupabase();
  const [disposition, setDisposition] = useState<Disposition | ''>(SUGGESTED[outcome] ?? '');
  const [notes, setNotes] = useState('');
  const [isSaving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const dispositionId = useId();
  const notesId = useId();

  async function save() {
    if (disposition === '') return setError('Choose how the call went.');
    setSaving(true);
    setError(null);
    const logged = await supabase.from('call_logs').update({ disposition, notes: notes.trim() || null }).eq('active_call_id', callId).select('id');
    if (logged.error || logged.data.length === 0) {
      setSaving(false);
      return setError(logged.error ? `Could not save the call notes: ${logged.error.message}` : 'The call is still being recorded; try again in a moment.');
    }
    const leadStatus = DISPOSITION_LEAD_STATUS[disposition];
    if (leadStatus) {
      const updated = await supabase.from('leads').update({ status: leadStatus, updated_at: new Date().toISOString() }).eq('id', leadId);
      if (updated.error) {
        setSaving(false);
        return setError(`The notes are saved, but the lead's status could not be changed: ${updated.error.message}`);
      }
    }
    setSaving(false);
    onSaved(leadStatus ? `Saved. The lead is now “${LEAD_STATUS_LABEL[leadStatus]}”.` : 'Saved.');
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
      <label htmlFor={dispositionId}>Disposition</label>
      <select id={dispositionId} value={disposition} onChange={(event) => setDisposition(isDisposition(event.target.value) ? event.target.value : '')} required>
        <option value="">Choose…</option>
        {DISPOSITIONS.map((d) => (
          <option key={d} value={d}>
            {DISPOSITION_LABEL[d]}
          </option>
        ))}
      </select>
      <label htmlFor={notesId}>Notes</label>
      <textarea id={notesId} rows={3} value={notes} onChange={(event) => setNotes(event.target.value)} maxLength={4000} placeholder="What was said, what to do next" />
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

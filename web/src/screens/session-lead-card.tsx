import { useCallback, useEffect, useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { isLeadStatus, type Lead } from '../../../src/core/rows.js';
import type { SessionTalkLead } from '../lib/dialer-session-api.js';
import { LeadStatusBadge } from '../components/status-badge.js';
import { useFilteredTableChanges } from '../lib/use-table-changes.js';

/** The lead `leadId` (REST `leads`), read again when its row changes (a disposition sets its status); the setter shows a change made here at once. */
function useLead(leadId: string): [Lead | null, (lead: Lead) => void] {
  const supabase = useSupabase();
  const [lead, setLead] = useState<Lead | null>(null);
  const load = useCallback(async () => {
    const { data } = await supabase.from('leads').select('*').eq('id', leadId).maybeSingle<Lead>();
    setLead(data);
  }, [supabase, leadId]);
  useEffect(() => {
    setLead(null);
    void load();
  }, [load]);
  useFilteredTableChanges('leads', `id=eq.${leadId}`, () => void load());
  return [lead, setLead];
}

/**
 * The lead the rep is talking to (or wrapping up): name, company, phone, email, status, and the
 * lead's notes, editable during the call and saved on the lead as the lead page saves them
 * (REST update of `leads.notes`; the call's own notes go with the disposition).
 */
export function SessionLeadCard({ leadId, isLive, fallback }: { leadId: string; isLive: boolean; fallback: SessionTalkLead | null }) {
  const supabase = useSupabase();
  const [readable, setLead] = useLead(leadId);
  // A lead of a shared list another member owns is not readable over REST: the server's view of
  // it (getDialerSession) is shown instead, and its notes are its owner's to edit.
  const isOwnLead = readable !== null;
  const lead: Pick<Lead, 'id' | 'name' | 'company' | 'phone' | 'email' | 'notes'> & { status: string } | null =
    readable ?? (fallback && fallback.id === leadId ? fallback : null);
  const [notes, setNotes] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: 'good' | 'bad'; text: string } | null>(null);
  const [isSaving, setSaving] = useState(false);
  const notesId = useId();
  // The field starts from the lead's notes, and keeps what the rep typed over later changes.
  const shown = notes ?? lead?.notes ?? '';

  async function saveNotes() {
    setSaving(true);
    setMessage(null);
    const saved = shown.trim() || null;
    const { error } = await supabase.from('leads').update({ notes: saved }).eq('id', leadId);
    setSaving(false);
    if (error) return setMessage({ tone: 'bad', text: `Could not save the notes: ${error.message}` });
    if (readable) setLead({ ...readable, notes: saved });
    setNotes(null);
    setMessage({ tone: 'good', text: 'Notes saved.' });
  }

  if (!lead) return <p className="muted">Loading the lead…</p>;
  return (
    <div className="session-lead" data-testid="session-lead" data-lead-id={lead.id}>
      <div className="session-lead__head">
        <strong className="session-lead__name">{lead.name}</strong>
        {isLeadStatus(lead.status) && <LeadStatusBadge status={lead.status} />}
        {isLive && <span className="badge badge--active">On the call</span>}
      </div>
      <dl className="session-lead__facts">
        <dt>Company</dt>
        <dd>{lead.company ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{lead.phone}</dd>
        <dt>Email</dt>
        <dd>{lead.email ?? '—'}</dd>
      </dl>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void saveNotes();
        }}
      >
        <label htmlFor={notesId}>Lead notes</label>
        <textarea
          id={notesId}
          rows={3}
          maxLength={4000}
          value={shown}
          readOnly={!isOwnLead}
          onChange={(event) => setNotes(event.target.value)}
          placeholder="About this lead, kept on the lead"
        />
        {!isOwnLead && <p className="muted">This lead is another member's: its notes are theirs to edit. Write yours with the disposition.</p>}
        <button type="submit" className="button button--secondary button--small" disabled={isSaving || notes === null || !isOwnLead}>
          {isSaving ? 'Saving…' : 'Save notes'}
        </button>
        {message && (
          <span className={message.tone === 'bad' ? 'form-error' : 'muted'} role={message.tone === 'bad' ? 'alert' : 'status'}>
            {' '}
            {message.text}
          </span>
        )}
      </form>
    </div>
  );
}

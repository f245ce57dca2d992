import { useEffect, useId, useRef, useState } from 'react';
import { useCallSubscription, useSupabase } from '../../../src/client/use-call-subscription.js';
import { isTerminal } from '../../../src/core/call-status.js';
import type { Lead } from '../../../src/core/rows.js';
import { formatDateTime } from '../lib/format.js';
import { leadPlace } from '../lib/lead-place.js';
import { useSettings } from '../lib/settings-context.js';
import { demoClockOffset } from '../lib/simulated-clock.js';
import { useDialCheck } from '../lib/use-dial-check.js';
import { useCallActions } from '../lib/use-place-call.js';
import { useShownCall } from '../lib/use-shown-call.js';
import { useLiveLines } from '../lib/use-live-lines.js';
import { busyLines, firstFreeLine, type LineNumber } from '../lib/watch-lines.js';
import { CallError } from './call-error.js';
import { CallStatusView } from './call-status-view.js';
import { DialCheck } from './dial-check.js';
import { DispositionForm } from './disposition-form.js';
import { LinePicker } from './line-picker.js';
import { LeadStatusBadge } from './status-badge.js';
import { WatchModeIndicator } from './watch-mode-indicator.js';

/** Calls one lead and records how it went; opened from the leads list. */
export function DialerModal({ lead: initialLead, userEmail, onClose }: { lead: Lead; userEmail: string; onClose(): void }) {
  const supabase = useSupabase();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [lead, setLead] = useState(initialLead);
  const [picked, setPicked] = useState<LineNumber | null>(null);
  // It starts on a free line (the user's other calls may hold line 1) and shows which are busy.
  const { lines, isLoaded } = useLiveLines(userEmail);
  const busy = busyLines(lines);
  const firstFree = firstFreeLine(busy);
  const line = picked ?? firstFree ?? 1;
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const { call, mode } = useCallSubscription(userEmail, lead.id);
  // The finished call stays until its disposition is saved or the modal is closed.
  const { shown, markOwn } = useShownCall(call, null);
  const actions = useCallActions(userEmail);
  const isLive = shown !== null && !isTerminal(shown.status);
  const finished = shown !== null && isTerminal(shown.status) ? { id: shown.id, outcome: shown.status } : null;
  const { settings } = useSettings();
  // Asked again when this lead's call ends (its attempt counts), a dial is refused, the simulated
  // clock moves, or the number is put on the do-not-call list from here.
  const [listed, setListed] = useState(0);
  const dialCheck = useDialCheck(
    settings ? { to: lead.phone, leadId: lead.id, extension: lead.extension ?? undefined, mock: settings.use_mock_dialer } : null,
    `${shown?.id ?? ''}:${isLive}:${actions.error?.code ?? ''}:${demoClockOffset(settings) ?? ''}:${listed}`,
  );
  const place = leadPlace(lead);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  // The database updates the lead (status, attempts) in the transaction that ends the call.
  const finishedId = finished?.id;
  useEffect(() => {
    if (!finishedId && !savedMessage) return;
    void supabase
      .from('leads')
      .select('*')
      .eq('id', lead.id)
      .maybeSingle()
      .then(({ data }) => {
        if (data) setLead(data as Lead);
      });
  }, [supabase, lead.id, finishedId, savedMessage]);

  async function dial() {
    setSavedMessage(null);
    setPicked(line);
    const placed = await actions.place({ to: lead.phone, lineNumber: line, lead });
    if (placed) markOwn(placed.callId);
  }

  // The server refuses such a dial on every path (code do_not_call); this only saves a click.
  const blockReason =
    lead.status === 'do_not_call'
      ? 'This lead asked not to be called.'
      : !isLive && firstFree === null
        ? 'All three lines are busy: hang up one first.'
        : !isLive && busy[line]
          ? `Line ${line} is busy: pick a free line.`
          : null;
  return (
    <dialog ref={dialog} className="modal" aria-labelledby={titleId} onCancel={onClose} data-testid="dialer-modal">
      <header className="modal__header">
        <h2 id={titleId}>{lead.name}</h2>
        <WatchModeIndicator mode={mode} />
        <button type="button" className="button button--ghost" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      <dl className="lead-facts">
        <dt>Phone</dt>
        <dd>
          {lead.phone}
          {lead.extension ? ` ext. ${lead.extension}` : ''}
        </dd>
        {lead.company && (
          <>
            <dt>Company</dt>
            <dd>{lead.company}</dd>
          </>
        )}
        {place && (
          <>
            <dt>Where</dt>
            <dd data-testid="modal-lead-place">{place}</dd>
          </>
        )}
        <dt>Status</dt>
        <dd data-testid="modal-lead-status">
          <LeadStatusBadge status={lead.status} />
        </dd>
        <dt>Attempts</dt>
        <dd data-testid="modal-lead-attempts">{lead.attempts}</dd>
        <dt>Last call</dt>
        <dd>{lead.last_called_at ? formatDateTime(lead.last_called_at) : 'Never'}</dd>
      </dl>
      {lead.notes && <p className="lead-notes">{lead.notes}</p>}
      <div className="modal__call">
        <LinePicker value={line} onChange={setPicked} busy={busy} canPickBusy={false} isDisabled={isLive || !isLoaded} />
        {isLive ? (
          <button type="button" className="button button--danger" onClick={() => void actions.hangUp(shown)} disabled={!shown.call_sid}>
            Hang up
          </button>
        ) : (
          <button type="button" className="button button--call" onClick={() => void dial()} disabled={actions.isBusy || blockReason !== null}>
            {actions.isBusy ? 'Calling…' : `Call ${lead.name}`}
          </button>
        )}
      </div>
      {!isLive && <DialCheck state={dialCheck} to={lead.phone} onChanged={() => setListed((n) => n + 1)} />}
      {blockReason && <p className="dialer__reason">{blockReason}</p>}
      {actions.notice && (
        <p className="notice notice--good" role="status">
          {actions.notice}
        </p>
      )}
      {actions.error && <CallError error={actions.error} onUseDemoMode={() => void actions.switchToDemoMode()} />}
      {shown && <CallStatusView call={shown} />}
      {finished && !savedMessage && <DispositionForm key={finished.id} callId={finished.id} outcome={finished.outcome} onSaved={setSavedMessage} />}
      {savedMessage && (
        <p className="notice notice--good" role="status">
          {savedMessage}
        </p>
      )}
    </dialog>
  );
}

import { useId } from 'react';
import { isTerminal, STATUS_DISPLAY } from '../../../src/core/call-status.js';
import type { ActiveCall } from '../../../src/core/rows.js';
import { useLiveLines } from '../lib/use-live-lines.js';
import { useCallActions } from '../lib/use-place-call.js';
import { LINE_NUMBERS, type LineNumber } from '../lib/watch-lines.js';
import { CallError } from './call-error.js';
import { CallTimer } from './call-timer.js';
import { StatusBadge } from './status-badge.js';
import { WatchModeIndicator } from './watch-mode-indicator.js';

/** One line: its live call (with Hang up), or its last call. */
export function LineCard({ line, call, onHangUp }: { line: LineNumber; call: ActiveCall | null; onHangUp(call: ActiveCall): void }) {
  const isLive = call !== null && !isTerminal(call.status);
  return (
    <li className={`line-card ${isLive ? 'line-card--live' : ''}`} data-testid={`line-${line}`} aria-label={`Line ${line}: ${isLive ? STATUS_DISPLAY[call.status].label : 'idle'}`}>
      <div className="line-card__head" data-call-status={call?.status}>
        <span className="line-card__name">Line {line}</span>
        {isLive ? <StatusBadge status={call.status} /> : <span className="badge badge--idle">Idle</span>}
      </div>
      {isLive ? (
        <>
          <div className="line-card__who">{call.lead_name ?? call.to_number}</div>
          {call.lead_name && <div className="line-card__number">{call.to_number}</div>}
          <div className="line-card__foot">
            {call.answered_at ? <CallTimer since={call.answered_at} until={call.ended_at} /> : <span className="muted">Not answered yet</span>}
            <button type="button" className="button button--danger button--small" onClick={() => onHangUp(call)} disabled={!call.call_sid} aria-label={`Hang up line ${line}`}>
              Hang up
            </button>
          </div>
        </>
      ) : (
        <div className="line-card__last muted">{call ? `Last call: ${STATUS_DISPLAY[call.status].label}, ${call.lead_name ?? call.to_number}` : 'No calls yet'}</div>
      )}
    </li>
  );
}

/** A card for each of the user's three lines, so calls on several lines show at once. */
export function LiveLines({ userEmail }: { userEmail: string }) {
  const { lines, mode } = useLiveLines(userEmail);
  const actions = useCallActions(userEmail);
  const titleId = useId();
  return (
    <section className="card" aria-labelledby={titleId}>
      <header className="card__header">
        <h2 id={titleId}>Live lines</h2>
        <WatchModeIndicator mode={mode} />
      </header>
      <ul className="line-cards">
        {LINE_NUMBERS.map((line) => (
          <LineCard key={line} line={line} call={lines[line]} onHangUp={(call) => void actions.hangUp(call)} />
        ))}
      </ul>
      {actions.error && <CallError error={actions.error} onUseDemoMode={() => void actions.switchToDemoMode()} />}
    </section>
  );
}

import { isTerminal } from '../../../src/core/call-status.js';
import type { ActiveCall } from '../../../src/core/rows.js';
import { OUTCOME_EXPLANATION } from '../lib/labels.js';
import { CallTimer } from './call-timer.js';
import { StatusBadge } from './status-badge.js';

/** Where one call stands: its status, the talk timer once connected, and why it ended. */
export function CallStatusView({ call }: { call: ActiveCall }) {
  const status = call.status;
  return (
    <div className="call-status" aria-live="polite" data-testid="call-status" data-call-status={status}>
      <div className="call-status__row">
        <StatusBadge status={status} />
        {call.answered_at && <CallTimer since={call.answered_at} until={call.ended_at} />}
      </div>
      <div className="call-status__who">
        {call.lead_name ? `${call.lead_name} · ` : ''}
        {call.to_number}
        {call.extension ? ` ext. ${call.extension}` : ''} · Line {call.line_number}
        {call.is_mock ? ' · simulated' : ''}
      </div>
      {isTerminal(status) && <p className="call-status__outcome">{OUTCOME_EXPLANATION[status]}</p>}
      {call.last_error && (
        <p className="call-status__error" role="alert">
          {call.last_error}
        </p>
      )}
    </div>
  );
}

import { memo, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import type { ActiveCall } from '../../../src/core/rows.js';
import { Elapsed } from '../components/elapsed.js';
import { StatusBadge } from '../components/status-badge.js';
import { endRepCall } from '../lib/team-api.js';

/**
 * One live line on the floor: status, who is called, the timer (talk time once connected,
 * else time since dialing), and End call with a confirmation. The server ends it as the rep's
 * own hang-up would, and records who did (audit).
 */
export const FloorLine = memo(function FloorLine({ call }: { call: ActiveCall }) {
  const supabase = useSupabase();
  const [isConfirming, setConfirming] = useState(false);
  const [isEnding, setEnding] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const who = call.lead_name ?? call.to_number;

  async function end() {
    setEnding(true);
    setError(null);
    const result = await endRepCall(supabase, call.id);
    setEnding(false);
    setConfirming(false);
    if (!result.ok) setError(result.error);
  }

  return (
    <li
      className="floor-line"
      data-testid="floor-line"
      data-call-id={call.id}
      data-call-status={call.status}
      data-updated-at={call.updated_at}
      aria-label={`Line ${call.line_number} of ${call.user_email}: ${who}`}
    >
      <span className="floor-line__line">L{call.line_number}</span>
      <StatusBadge status={call.status} />
      <span className="floor-line__who">
        {who}
        {call.lead_name && <span className="muted"> · {call.to_number}</span>}
        {call.is_mock && <span className="muted"> · simulated</span>}
      </span>
      {call.answered_at ? <Elapsed since={call.answered_at} label="Talk time" /> : <Elapsed since={call.started_at} label="Time since dialing" />}
      {isConfirming ? (
        <span className="floor-line__confirm">
          <button type="button" className="button button--danger button--small" onClick={() => void end()} disabled={isEnding}>
            {isEnding ? 'Ending…' : 'Confirm end'}
          </button>
          <button type="button" className="button button--ghost button--small" onClick={() => setConfirming(false)} disabled={isEnding}>
            Keep
          </button>
        </span>
      ) : (
        <button type="button" className="button button--secondary button--small" onClick={() => setConfirming(true)} aria-label={`End call on line ${call.line_number} of ${call.user_email}`}>
          End call
        </button>
      )}
      {error && (
        <span className="form-error floor-line__error" role="alert" data-code={error.code}>
          {error.message}
        </span>
      )}
    </li>
  );
});

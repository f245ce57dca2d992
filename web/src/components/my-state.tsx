import { useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { ROLE_LABEL } from '../lib/labels.js';
import { setRepState, type Role } from '../lib/team-api.js';
import { useMyRepState } from '../lib/use-my-rep-state.js';
import { RepStateBadge } from './rep-state-badge.js';

/**
 * The member's own state as the floor sees it, with Available / Away. The server derives every
 * other state (on a call, wrap-up until the disposition is saved, offline); it answers the toggle.
 */
export function MyState({ userEmail, role }: { userEmail: string; role: Role | null }) {
  const supabase = useSupabase();
  const [row, setRow] = useMyRepState(userEmail);
  const [error, setError] = useState<AppError | null>(null);
  const [isBusy, setBusy] = useState(false);
  const next = row?.is_away ? 'available' : 'away';

  async function toggle() {
    setBusy(true);
    setError(null);
    const result = await setRepState(supabase, next);
    setBusy(false);
    if (!result.ok) return setError(result.error);
    // The server's answer, until the row's own change arrives (which replaces it, being newer).
    const { state, liveLines, stateSince, isAway, isWrapUp } = result.value.repState;
    if (row) setRow({ ...row, state, live_lines: liveLines, state_since: stateSince, is_away: isAway, is_wrap_up: isWrapUp });
  }

  return (
    <div className="my-state" data-testid="my-state">
      {role && (
        <span className="pill pill--role" data-testid="my-role">
          {ROLE_LABEL[role]}
        </span>
      )}
      {row && <RepStateBadge state={row.state} lines={row.live_lines} />}
      <button type="button" className="button button--ghost button--small" onClick={() => void toggle()} disabled={isBusy || !row} aria-pressed={row?.is_away ?? false}>
        {next === 'away' ? 'Set away' : 'Set available'}
      </button>
      {error && (
        <span className="form-error my-state__error" role="alert" data-code={error.code}>
          {error.message}
        </span>
      )}
    </div>
  );
}

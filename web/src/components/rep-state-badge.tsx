import type { RepStateName } from '../lib/team-api.js';
import { REP_STATE_DISPLAY } from '../lib/labels.js';

/** A member's state (offline, available, on a call, wrap-up, away) in its label and colour. */
export function RepStateBadge({ state, lines = 0 }: { state: RepStateName; lines?: number }) {
  const { label, tone } = REP_STATE_DISPLAY[state];
  return (
    <span className={`badge badge--${tone}`} data-rep-state={state}>
      {label}
      {state === 'on_call' && lines > 1 ? ` (${lines} lines)` : ''}
    </span>
  );
}

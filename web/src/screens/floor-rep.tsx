import { memo } from 'react';
import type { ActiveCall } from '../../../src/core/rows.js';
import { Elapsed } from '../components/elapsed.js';
import { RepStateBadge } from '../components/rep-state-badge.js';
import { formatDuration } from '../lib/format.js';
import { formatPercent, type AbandonmentFigures } from '../lib/compliance-api.js';
import { ROLE_LABEL } from '../lib/labels.js';
import { formatRate, type ReportRow } from '../lib/report-api.js';
import type { MemberRow, RepStateRow } from '../lib/team-api.js';
import type { FloorSessionRow } from '../lib/use-floor-sessions.js';
import { FloorLine } from './floor-line.js';
import { FloorSession } from './floor-session.js';

/** One member on the floor: state and time in it, today's figures, their live power-dial session, and each live line. */
export const FloorRep = memo(function FloorRep({
  member,
  state,
  calls,
  today,
  abandonment,
  session,
  sessionListName,
}: {
  member: MemberRow;
  state: RepStateRow | undefined;
  calls: readonly ActiveCall[];
  today: ReportRow | undefined;
  /** The rep's rolling 30-day abandonment rate; undefined: no answered calls in the window. */
  abandonment?: AbandonmentFigures | undefined;
  /** The rep's active or paused session, if any, and its list's name. */
  session?: FloorSessionRow | undefined;
  sessionListName?: string | undefined;
}) {
  return (
    <li className={`floor-rep floor-rep--${state?.state ?? 'offline'}`} data-testid="floor-rep" data-email={member.user_email} data-rep-state={state?.state ?? 'offline'}>
      <div className="floor-rep__head">
        <span className="floor-rep__name">{member.user_email}</span>
        {member.role !== 'rep' && <span className="muted">{ROLE_LABEL[member.role]}</span>}
      </div>
      <div className="floor-rep__state">
        <RepStateBadge state={state?.state ?? 'offline'} lines={state?.live_lines ?? 0} />
        {state && <Elapsed since={state.state_since} label="Time in state" />}
      </div>
      <div className="floor-rep__today muted" data-testid="floor-rep-today">
        Today: {today?.dials ?? 0} dials · {today?.connects ?? 0} connects ({formatRate(today ?? { dials: 0, connects: 0 })}) · {formatDuration(today?.talkSeconds ?? 0)} talk
      </div>
      {abandonment && abandonment.answered > 0 && (
        <div
          className={`floor-rep__abandonment ${abandonment.hasReachedLimit ? 'is-over-limit' : 'muted'}`}
          data-testid="floor-rep-abandonment"
          data-over-limit={abandonment.hasReachedLimit}
        >
          Abandoned (30 days): {formatPercent(abandonment.percent)} · {abandonment.abandoned} of {abandonment.answered} answered
          {abandonment.hasReachedLimit ? ' · over the limit' : ''}
        </div>
      )}
      {session && <FloorSession session={session} listName={sessionListName} />}
      {calls.length > 0 && (
        <ul className="floor-rep__lines" aria-label={`Live lines of ${member.user_email}`}>
          {calls.map((call) => (
            <FloorLine key={call.id} call={call} />
          ))}
        </ul>
      )}
    </li>
  );
});

import { SESSION_STATUS_LABEL } from '../lib/dialer-session-api.js';
import type { FloorSessionRow } from '../lib/use-floor-sessions.js';

/** A rep's live power-dial session on the floor: the list, the lines, dialing or paused (and why), and its counters. */
export function FloorSession({ session, listName }: { session: FloorSessionRow; listName: string | undefined }) {
  const paused = session.status === 'paused' && session.pause_reason === 'server_lost' ? ' (server lost)' : '';
  return (
    <div className="floor-rep__session" data-testid="floor-session" data-session-id={session.id} data-status={session.status}>
      <span className={`badge badge--${session.status === 'active' ? 'active' : 'warn'}`}>
        Session: {SESSION_STATUS_LABEL[session.status]}
        {paused}
      </span>{' '}
      <span data-testid="floor-session-list">{listName ?? 'A list'}</span> · {session.lines} {session.lines === 1 ? 'line' : 'lines'}
      <div className="muted" data-testid="floor-session-counters">
        {session.dialed} dialed · {session.connected} connected · {session.voicemail} voicemail · {session.abandoned} abandoned · {session.skipped} skipped
      </div>
      {session.status === 'active' && session.idle_reason && <div className="muted">Not dialing: {session.idle_reason}</div>}
    </div>
  );
}

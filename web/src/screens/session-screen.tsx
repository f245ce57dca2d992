import { useId, useRef, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { isCallStatus, isTerminal } from '../../../src/core/call-status.js';
import type { ActiveCall } from '../../../src/core/rows.js';
import { CallError } from '../components/call-error.js';
import { DispositionForm } from '../components/disposition-form.js';
import { LineCard } from '../components/live-lines.js';
import { WatchModeIndicator } from '../components/watch-mode-indicator.js';
import { formatPercent } from '../lib/compliance-api.js';
import {
  moveDialerSession,
  pauseReasonText,
  SESSION_STATUS_LABEL,
  skipReasonLabel,
  stopReasonText,
  type DialerSessionAnswer,
  type SessionMove,
  type SessionView,
} from '../lib/dialer-session-api.js';
import { formatDateTime } from '../lib/format.js';
import { useSettings } from '../lib/settings-context.js';
import { setRepState } from '../lib/team-api.js';
import { useAbandonmentRates } from '../lib/use-abandonment-rates.js';
import { useDialerSession } from '../lib/use-dialer-session.js';
import { useLiveLines } from '../lib/use-live-lines.js';
import { useMyRepState } from '../lib/use-my-rep-state.js';
import { useNow } from '../lib/use-now.js';
import { useCallActions } from '../lib/use-place-call.js';
import { useShortcuts } from '../lib/use-shortcuts.js';
import { LINE_NUMBERS } from '../lib/watch-lines.js';
import { useWorkspace } from '../lib/workspace-context.js';
import { SessionLeadCard } from './session-lead-card.js';
import { SessionStart } from './session-start.js';

/** The keys of the session screen and what each does, as the legend shows them. */
export const SESSION_SHORTCUTS = [
  { key: 'H', does: 'Hang up the connected call' },
  { key: 'D', does: 'Go to the disposition form (during wrap-up)' },
  { key: 'P', does: 'Pause the session, or resume it' },
  { key: 'N', does: 'Next: save the chosen disposition and dial on; with none chosen, end the wrap-up without one and dial on' },
] as const;

const COUNTERS = [
  { key: 'dialed', label: 'Dialed' },
  { key: 'connected', label: 'Connected' },
  { key: 'voicemail', label: 'Voicemail' },
  { key: 'abandoned', label: 'Abandoned' },
  { key: 'skipped', label: 'Skipped' },
] as const;

function SessionCounters({ session }: { session: SessionView }) {
  const reasons = Object.entries(session.counters.skippedReasons).filter(([, count]) => count > 0);
  return (
    <>
      <div className="tiles" data-testid="session-counters">
        {COUNTERS.map(({ key, label }) => (
          <div key={key} className="tile" data-testid={`session-counter-${key}`} data-value={session.counters[key]}>
            <div className="tile__label">{label}</div>
            <div className="tile__value">{session.counters[key]}</div>
          </div>
        ))}
      </div>
      {reasons.length > 0 && (
        <p className="muted" data-testid="session-skipped-reasons">
          Skipped: {reasons.map(([code, count]) => `${skipReasonLabel(code)} ${count}`).join(' · ')}
        </p>
      )}
    </>
  );
}

/** The list's rolling 30-day abandonment rate against the workspace's limit (getAbandonmentRates). */
function ListAbandonment({ listId }: { listId: string }) {
  const { info } = useWorkspace();
  const { settings } = useSettings();
  const mode = settings?.use_mock_dialer ? 'demo' : 'live';
  const { rates, error } = useAbandonmentRates(info?.workspace.id ?? null, mode);
  if (error) return <p className="form-error">Could not load the abandonment rate: {error.message}</p>;
  if (!rates) return <p className="muted">Loading the abandonment rate…</p>;
  const figures = rates.lists.find((list) => list.listId === listId);
  const isOver = figures?.hasReachedLimit ?? false;
  return (
    <p className={isOver ? 'notice notice--bad' : 'muted'} data-testid="session-abandonment" data-over-limit={isOver}>
      This list’s abandoned calls, last {rates.windowDays} days{mode === 'demo' ? ' (demo calls)' : ''}: {formatPercent(figures?.percent ?? null)}
      {figures ? ` (${figures.abandoned} of ${figures.answered} answered)` : ''} · limit {rates.limitPercent}%
      {isOver ? ' · at or over the limit: the session dials one line' : ''}
    </p>
  );
}

function SessionQueue({ queue }: { queue: DialerSessionAnswer['queue'] }) {
  const titleId = useId();
  return (
    <section aria-labelledby={titleId}>
      <h3 id={titleId} className="section-title">
        Next in the queue <span className="muted" data-testid="session-queue-remaining" data-value={queue.remaining}>({queue.remaining} left)</span>
      </h3>
      {queue.next.length === 0 ? (
        <p className="muted">Nobody left to dial.</p>
      ) : (
        <ol className="session-queue" data-testid="session-queue">
          {queue.next.map((lead) => (
            <li key={lead.id} data-lead-id={lead.id}>
              <strong>{lead.name}</strong>
              {lead.company && <span className="muted"> · {lead.company}</span>}
              <span className="muted"> · {lead.phone}</span>
              {lead.callbackAt && <span className="badge badge--warn">Callback {formatDateTime(lead.callbackAt)}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ShortcutLegend() {
  return (
    <section className="session-legend" aria-label="Keyboard shortcuts" data-testid="session-shortcuts">
      <h3 className="section-title">Keyboard shortcuts</h3>
      <dl>
        {SESSION_SHORTCUTS.map(({ key, does }) => (
          <div key={key} className="session-legend__row">
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{does}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">The keys do nothing while you type in a field.</p>
    </section>
  );
}

/** Seconds until `until`, counting down; null without a timer. */
function WrapUpTimer({ until }: { until: string }) {
  const now = useNow();
  const seconds = Math.max(0, Math.ceil((new Date(until).getTime() - now) / 1000));
  return (
    <p className="muted" data-testid="session-wrap-up-timer">
      The list’s wrap-up time: the session dials on in {seconds} s.
    </p>
  );
}

/**
 * The power-dial session screen (issue 14): start a session on a list (1–3 lines), then follow it
 * live: pause, resume, stop; the rep's three lines; the lead on the call with its notes; the
 * disposition form in wrap-up; the next leads; the counters and the list's abandonment rate; the
 * reasons the session is idle, paused or stopped, in words. Keys H, D, P, N (SESSION_SHORTCUTS).
 * The server runs the session (src/db/dialer-session-runner.ts); this screen only moves it.
 */
export function SessionScreen({ userEmail }: { userEmail: string }) {
  const supabase = useSupabase();
  const { answer, error, reload } = useDialerSession(userEmail);
  const { lines, mode } = useLiveLines(userEmail);
  const [repState] = useMyRepState(userEmail);
  const actions = useCallActions(userEmail);
  const [moveError, setMoveError] = useState<string | null>(null);
  const [isMoving, setMoving] = useState(false);
  const [feedback, setFeedback] = useState<string | null>(null);
  const dispositionRef = useRef<HTMLDivElement>(null);
  const titleId = useId();

  const session = answer?.session ?? null;
  const isLive = session !== null && session.status !== 'stopped';
  const talkCall = answer?.talkCall ?? null;
  const liveCalls = LINE_NUMBERS.map((line) => lines[line]).filter((call): call is ActiveCall => call !== null && !isTerminal(call.status));
  const connectedCall = session?.connectedCallId ? (liveCalls.find((call) => call.id === session.connectedCallId) ?? null) : null;
  const talkStatus = talkCall && isCallStatus(talkCall.status) ? talkCall.status : null;
  const isWrapUp = talkCall !== null && talkStatus !== null && isTerminal(talkStatus) && (repState?.is_wrap_up ?? false);

  async function move(action: SessionMove) {
    if (!session) return;
    setMoving(true);
    setMoveError(null);
    const result = await moveDialerSession(supabase, action, session.id);
    setMoving(false);
    if (!result.ok) setMoveError(result.error.message);
    reload();
  }

  async function next() {
    const form = dispositionRef.current?.querySelector('form');
    const chosen = form?.querySelector('select')?.value ?? '';
    if (!isWrapUp || !form) return setFeedback('N: nothing to wrap up; the session dials on by itself.');
    if (chosen !== '') {
      setFeedback('N: saving the disposition; the session then dials on.');
      form.requestSubmit();
      return;
    }
    const result = await setRepState(supabase, 'available');
    setFeedback(result.ok ? 'N: wrap-up ended without a disposition; the session dials on.' : `N: ${result.error.message}`);
  }

  useShortcuts({
    h: () => {
      if (!connectedCall) return setFeedback('H: no call is connected.');
      setFeedback(`H: hanging up ${connectedCall.lead_name ?? connectedCall.to_number}.`);
      void actions.hangUp(connectedCall);
    },
    d: () => {
      const field = dispositionRef.current?.querySelector('select');
      if (!field) return setFeedback('D: there is no disposition to fill in now (it comes when a connected call ends).');
      setFeedback(null);
      field.focus();
    },
    p: () => {
      if (!session || session.status === 'stopped') return setFeedback('P: no live session to pause.');
      setFeedback(session.status === 'active' ? 'P: pausing.' : 'P: resuming.');
      void move(session.status === 'active' ? 'pause' : 'resume');
    },
    n: () => void next(),
  });

  return (
    <section className="card session" aria-labelledby={titleId} data-testid="session-screen" data-session-status={session?.status ?? 'none'}>
      <header className="card__header">
        <h2 id={titleId}>Session</h2>
        {session && (
          <>
            <span className={`badge badge--${session.status === 'active' ? 'active' : session.status === 'paused' ? 'warn' : 'neutral'}`} data-testid="session-status" data-status={session.status}>
              {session.status === 'active'
                ? session.idleReason
                  ? 'Idle'
                  : connectedCall
                    ? 'On a call'
                    : isWrapUp
                      ? 'Wrap-up'
                      : SESSION_STATUS_LABEL.active
                : SESSION_STATUS_LABEL[session.status]}
            </span>
            <span className="muted" data-testid="session-list">
              {answer?.list?.name ?? 'A list'} · {session.lines} {session.lines === 1 ? 'line' : 'lines'}
              {answer?.list ? ` · wrap-up ${answer.list.wrapUpSeconds === null ? 'until you save the disposition' : `${answer.list.wrapUpSeconds} s`}` : ''}
            </span>
          </>
        )}
        <WatchModeIndicator mode={mode} />
      </header>
      {error && (
        <p className="form-error" role="alert" data-code={error.code}>
          Could not load the session: {error.message}
        </p>
      )}
      {!answer && !error && <p className="muted">Loading…</p>}

      {session && isLive && (
        <div className="toolbar" role="group" aria-label="Session controls">
          {session.status === 'active' ? (
            <button type="button" className="button button--secondary" disabled={isMoving} onClick={() => void move('pause')}>
              Pause
            </button>
          ) : (
            <button type="button" className="button button--primary" disabled={isMoving} onClick={() => void move('resume')}>
              Resume
            </button>
          )}
          <button type="button" className="button button--danger" disabled={isMoving} onClick={() => void move('stop')}>
            Stop
          </button>
        </div>
      )}
      {moveError && (
        <p className="form-error" role="alert">
          {moveError}
        </p>
      )}
      {session?.status === 'paused' && (
        <p className="notice notice--warn" data-testid="session-pause-reason" data-reason={session.pauseReason ?? ''}>
          {pauseReasonText(session.pauseReason)}
        </p>
      )}
      {session?.status === 'active' && session.idleReason && (
        <p className="notice notice--warn" data-testid="session-idle-reason">
          Not dialing: {session.idleReason}
        </p>
      )}
      {session?.status === 'stopped' && session.stopReason && (
        <p className="notice" data-testid="session-stop-reason" data-reason={session.stopReason}>
          {stopReasonText(session.stopReason)}
          {session.stoppedAt ? ` (${formatDateTime(session.stoppedAt)})` : ''}
        </p>
      )}
      {session?.status === 'active' && !session.idleReason && (connectedCall || isWrapUp) && (
        <p className="notice notice--good" data-testid="session-activity">
          {connectedCall
            ? `Connected to ${connectedCall.lead_name ?? connectedCall.to_number} on line ${connectedCall.line_number}: no new dials until the call and its wrap-up end.`
            : session.wrapUpUntil
              ? 'Wrap-up: the session dials on when you save the disposition, or when the list’s wrap-up time runs out.'
              : 'Wrap-up: the session dials on when you save the disposition (or press N).'}
        </p>
      )}
      {feedback && (
        <p className="muted" role="status" data-testid="shortcut-feedback">
          {feedback}
        </p>
      )}

      {session && (
        <div className="session__grid">
          <div className="session__main">
            <h3 className="section-title">Lines</h3>
            <ul className="line-cards" data-testid="session-lines">
              {LINE_NUMBERS.map((line) => (
                <LineCard key={line} line={line} call={lines[line]} onHangUp={(call) => void actions.hangUp(call)} />
              ))}
            </ul>
            {actions.error && <CallError error={actions.error} onUseDemoMode={() => void actions.switchToDemoMode()} />}
            <h3 className="section-title">Lead</h3>
            {talkCall?.leadId ? (
              <SessionLeadCard key={talkCall.leadId} leadId={talkCall.leadId} isLive={connectedCall !== null} fallback={talkCall.lead} />
            ) : (
              <p className="muted">The lead you are connected to shows here.</p>
            )}
            {isWrapUp && talkCall && talkStatus && isTerminal(talkStatus) && (
              <div ref={dispositionRef} data-testid="session-disposition" data-call-id={talkCall.callId}>
                {session.wrapUpUntil && <WrapUpTimer until={session.wrapUpUntil} />}
                <DispositionForm
                  key={talkCall.callId}
                  callId={talkCall.callId}
                  outcome={talkStatus}
                  onSaved={(message) => {
                    setFeedback(message);
                    reload();
                  }}
                />
              </div>
            )}
          </div>
          <div className="session__side">
            <h3 className="section-title">This session</h3>
            <SessionCounters session={session} />
            <ListAbandonment listId={session.listId} />
            {answer && <SessionQueue queue={answer.queue} />}
            <ShortcutLegend />
          </div>
        </div>
      )}

      {!isLive && answer && (
        <>
          <h3 className="section-title">{session ? 'Start another session' : 'Start a session'}</h3>
          <SessionStart onStarted={reload} />
        </>
      )}
    </section>
  );
}

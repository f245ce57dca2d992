import { useEffect, useMemo, useRef } from 'react';
import type { ActiveCall } from '../../../src/core/rows.js';
import { Tile } from '../components/tile.js';
import { WatchModeIndicator } from '../components/watch-mode-indicator.js';
import { formatDuration, localDay } from '../lib/format.js';
import { formatPercent, type AbandonmentFigures } from '../lib/compliance-api.js';
import { formatRate, startOfLocalDay, type ReportRequest, type ReportRow } from '../lib/report-api.js';
import { useSettings } from '../lib/settings-context.js';
import { useAbandonmentRates } from '../lib/use-abandonment-rates.js';
import { useFloor } from '../lib/use-floor.js';
import { useFloorSessions } from '../lib/use-floor-sessions.js';
import { useLeadLists } from '../lib/lists-api.js';
import { useReport } from '../lib/use-report.js';
import { useWorkspace } from '../lib/workspace-context.js';
import { FloorRep } from './floor-rep.js';

const NO_CALLS: readonly ActiveCall[] = [];

/** One rolling abandonment rate (the team's or a list's) against the workspace's limit, marked when at or over it. */
function AbandonmentTile({ label, figures, limitPercent }: { label: string; figures: AbandonmentFigures | undefined; limitPercent: number | undefined }) {
  const isOver = figures?.hasReachedLimit ?? false;
  return (
    <div className={`tile ${isOver ? 'tile--alert' : ''}`} data-testid="abandonment-tile" data-over-limit={isOver}>
      <div className="tile__label">{label}</div>
      <div className="tile__value">{formatPercent(figures?.percent ?? null)}</div>
      <div className="tile__detail">
        {figures && limitPercent !== undefined
          ? `${figures.abandoned} of ${figures.answered} answered · limit ${limitPercent}%${isOver ? ' · at or over the limit: power dialing uses one line' : ''}`
          : 'Loading…'}
      </div>
    </div>
  );
}

const sameCalls = (a: readonly ActiveCall[], b: readonly ActiveCall[]) => a.length === b.length && a.every((call, i) => call === b[i]);

/**
 * Live calls grouped by rep, each rep's list kept as the same array while its calls are the same
 * rows, so a change on one line re-renders that rep's card only (50 reps × 3 lines).
 */
function useCallsByRep(calls: ReadonlyMap<string, ActiveCall>): ReadonlyMap<string, readonly ActiveCall[]> {
  const previous = useRef<ReadonlyMap<string, readonly ActiveCall[]>>(new Map());
  return useMemo(() => {
    const grouped = new Map<string, ActiveCall[]>();
    for (const call of calls.values()) {
      const list = grouped.get(call.user_email);
      if (list) list.push(call);
      else grouped.set(call.user_email, [call]);
    }
    const stable = new Map<string, readonly ActiveCall[]>();
    for (const [email, list] of grouped) {
      list.sort((a, b) => a.line_number - b.line_number);
      const before = previous.current.get(email);
      stable.set(email, before && sameCalls(before, list) ? before : list);
    }
    previous.current = stable;
    return stable;
  }, [calls]);
}

const sameFigures = (a: ReportRow, b: ReportRow) => a.dials === b.dials && a.connects === b.connects && a.talkSeconds === b.talkSeconds;

/** Today's rows by rep, each kept as the same object while its figures are, so a refresh re-renders only the reps whose figures moved. */
function useStableRows(rows: readonly ReportRow[] | undefined): ReadonlyMap<string, ReportRow> {
  const previous = useRef<ReadonlyMap<string, ReportRow>>(new Map());
  return useMemo(() => {
    const stable = new Map<string, ReportRow>();
    for (const row of rows ?? []) {
      if (row.key === null) continue;
      const before = previous.current.get(row.key);
      stable.set(row.key, before && sameFigures(before, row) ? before : row);
    }
    previous.current = stable;
    return stable;
  }, [rows]);
}

/**
 * The manager's live floor: every member with their state and time in it, their power-dial
 * session (list, lines, status, counters), each live line, and
 * today's totals for the team and per rep. Members, states and calls arrive live (polling
 * while realtime is down); the totals are read again as calls end.
 */
export function FloorScreen({ userEmail: _userEmail }: { userEmail: string }) {
  const { info } = useWorkspace();
  const workspaceId = info?.workspace.id ?? null;
  const floor = useFloor(workspaceId);
  const day = localDay(new Date());
  const request = useMemo<ReportRequest>(() => ({ from: startOfLocalDay(day), to: startOfLocalDay(day, 1), groupBy: 'rep' }), [day]);
  const { report, error } = useReport(request, workspaceId ? `workspace_id=eq.${workspaceId}` : null);

  // Abandonment of real calls, or of demo calls while the viewer is in demo mode (as Stats opens).
  const { settings } = useSettings();
  const abandonmentMode = settings?.use_mock_dialer ? 'demo' : 'live';
  const abandonment = useAbandonmentRates(workspaceId, abandonmentMode);
  const abandonmentByRep = useMemo(() => new Map<string, AbandonmentFigures>((abandonment.rates?.reps ?? []).map((rep) => [rep.userEmail, rep])), [abandonment.rates]);

  const sessions = useFloorSessions(workspaceId);
  const { lists, reload: reloadLists } = useLeadLists();
  const listNames = useMemo(() => new Map(lists.map((list) => [list.id, list.name])), [lists]);
  // A session on a list made since the lists were read: read them again for its name.
  const hasUnnamedList = [...sessions.values()].some((session) => !listNames.has(session.list_id));
  useEffect(() => {
    if (hasUnnamedList) reloadLists();
  }, [hasUnnamedList, reloadLists]);
  const callsByRep = useCallsByRep(floor.calls);
  const todayByRep = useStableRows(report?.rows);
  // A stable order (by email): cards that jumped with every state change could not be followed.
  const members = useMemo(() => [...floor.members.values()].sort((a, b) => a.user_email.localeCompare(b.user_email)), [floor.members]);
  const totals = report?.totals;

  return (
    <section className="card" aria-labelledby="floor-title">
      <header className="card__header">
        <h2 id="floor-title">Floor</h2>
        <span className="muted" data-testid="floor-live-count">
          {floor.calls.size} live {floor.calls.size === 1 ? 'line' : 'lines'}
        </span>
        <WatchModeIndicator mode={floor.mode} />
      </header>
      {error && (
        <p className="form-error" role="alert" data-code={error.code}>
          Could not load today’s figures: {error.message}
        </p>
      )}
      <h3 className="section-title">Today</h3>
      <div className="tiles" data-testid="floor-totals">
        <Tile label="Dials" value={String(totals?.dials ?? 0)} />
        <Tile label="Connects" value={String(totals?.connects ?? 0)} />
        <Tile label="Connect rate" value={formatRate(totals ?? { dials: 0, connects: 0 })} />
        <Tile label="Talk time" value={formatDuration(totals?.talkSeconds ?? 0)} />
        <Tile label="Voicemails" value={String(totals?.voicemails ?? 0)} />
        <Tile label="Abandoned" value={String(totals?.abandoned ?? 0)} />
      </div>
      <h3 className="section-title">Abandoned calls, last {abandonment.rates?.windowDays ?? 30} days{abandonmentMode === 'demo' ? ' (demo calls)' : ''}</h3>
      {abandonment.error ? (
        <p className="form-error" role="alert" data-code={abandonment.error.code}>
          Could not load the abandonment rates: {abandonment.error.message}
        </p>
      ) : (
        <div className="tiles" data-testid="floor-abandonment" data-over-limit={abandonment.rates?.total.hasReachedLimit ?? false}>
          <AbandonmentTile label="Team" figures={abandonment.rates?.total} limitPercent={abandonment.rates?.limitPercent} />
          {abandonment.rates?.lists
            .filter((list) => list.answered > 0)
            .map((list) => (
              <AbandonmentTile
                key={list.listId ?? 'none'}
                label={list.listId === null ? 'No list' : `${list.name ?? 'A list'}${list.isArchived ? ' (archived)' : ''}`}
                figures={list}
                limitPercent={abandonment.rates?.limitPercent}
              />
            ))}
        </div>
      )}
      <h3 className="section-title">Members</h3>
      {members.length === 0 ? (
        <p className="muted">{floor.mode === 'connecting' ? 'Loading…' : 'No members.'}</p>
      ) : (
        <ul className="floor" aria-label="Members on the floor">
          {members.map((member) => (
            <FloorRep
              key={member.user_email}
              member={member}
              state={floor.states.get(member.user_email)}
              calls={callsByRep.get(member.user_email) ?? NO_CALLS}
              today={todayByRep.get(member.user_email)}
              abandonment={abandonmentByRep.get(member.user_email)}
              session={sessions.get(member.user_email)}
              sessionListName={listNames.get(sessions.get(member.user_email)?.list_id ?? '')}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

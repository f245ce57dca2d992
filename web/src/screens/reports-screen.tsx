import { useId, useMemo, useState } from 'react';
import { RepFilter } from '../components/rep-filter.js';
import { localDay } from '../lib/format.js';
import { isReportGroup, isReportMode, startOfLocalDay, type ReportGroup, type ReportMode, type ReportRequest } from '../lib/report-api.js';
import { seesWorkspace } from '../lib/team-api.js';
import { useMemberEmails } from '../lib/use-member-emails.js';
import { useReport } from '../lib/use-report.js';
import { useWorkspace } from '../lib/workspace-context.js';
import { ReportsTable } from './reports-table.js';

const GROUP_LABELS: Readonly<Record<ReportGroup, string>> = { rep: 'Rep', day: 'Day', list: 'Lead list' };

const daysAgo = (days: number) => {
  const date = new Date();
  date.setDate(date.getDate() - days);
  return localDay(date);
};

/**
 * Figures for a date range (calls that ended in those local days), per rep or per day, computed
 * by the server from call history under
 * the member's visibility: a rep gets their own, a manager or admin the whole team. Per lead
 * list comes with lead lists (issue 12).
 */
export function ReportsScreen({ userEmail }: { userEmail: string }) {
  const { info, role } = useWorkspace();
  const isManager = seesWorkspace(role);
  const emails = useMemberEmails(isManager ? (info?.workspace.id ?? null) : null);
  const [from, setFrom] = useState(() => daysAgo(6));
  const [to, setTo] = useState(() => daysAgo(0));
  const [groupBy, setGroupBy] = useState<ReportGroup>('rep');
  const [rep, setRep] = useState('');
  const [mode, setMode] = useState<ReportMode>('all');
  const ids = { from: useId(), to: useId(), groupBy: useId(), mode: useId() };
  const request = useMemo<ReportRequest | null>(
    () => (from && to ? { from: startOfLocalDay(from), to: startOfLocalDay(to, 1), groupBy, mode, userEmail: isManager ? rep || undefined : userEmail } : null),
    [from, to, groupBy, mode, rep, isManager, userEmail],
  );
  const { report, error } = useReport(request, isManager && info ? `workspace_id=eq.${info.workspace.id}` : `user_email=eq.${userEmail}`);

  return (
    <section className="card" aria-labelledby="reports-title">
      <header className="card__header">
        <h2 id="reports-title">Reports</h2>
        {!isManager && <span className="muted">Your own calls</span>}
      </header>
      <div className="filters">
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.groupBy}>Group by</label>
          <select id={ids.groupBy} value={groupBy} onChange={(e) => setGroupBy(isReportGroup(e.target.value) ? e.target.value : 'rep')}>
            <option value="rep">Rep</option>
            <option value="day">Day</option>
            <option value="list">Lead list</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.mode}>Calls</label>
          <select id={ids.mode} value={mode} onChange={(e) => isReportMode(e.target.value) && setMode(e.target.value)}>
            <option value="all">Real and demo</option>
            <option value="live">Real calls</option>
            <option value="demo">Demo calls</option>
          </select>
        </div>
        {isManager && <RepFilter emails={emails} value={rep} onChange={setRep} />}
      </div>
      {error && (
        <p className="form-error" role="alert" data-code={error.code}>
          {error.message}
        </p>
      )}
      {report === null ? (
        !error && <p className="muted">Loading…</p>
      ) : report.rows.length === 0 ? (
        <p className="empty">No members or days to show.</p>
      ) : (
        <ReportsTable report={report} keyLabel={GROUP_LABELS[groupBy]} />
      )}
    </section>
  );
}

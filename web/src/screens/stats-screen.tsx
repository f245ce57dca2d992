import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { UserStats } from '../../../src/core/rows.js';
import { StatsCharts } from '../components/stats-charts.js';
import { Tile } from '../components/tile.js';
import { computeDailyStats, type DayFigures, type LogForStats } from '../lib/daily-stats.js';
import { formatDuration } from '../lib/format.js';
import { useSettings } from '../lib/settings-context.js';
import { useTableChanges } from '../lib/use-table-changes.js';

const DAYS = 14;

type Mode = 'real' | 'demo';

/**
 * The user's totals (user_stats) and the last two weeks day by day (from call_logs), for real
 * calls and for demo calls apart: simulated calls never count in a rep's real figures.
 */
export function StatsScreen({ userEmail }: { userEmail: string }) {
  const supabase = useSupabase();
  const { settings } = useSettings();
  const [chosenMode, setMode] = useState<Mode | null>(null);
  const mode: Mode = chosenMode ?? (settings?.use_mock_dialer === false ? 'real' : 'demo');
  const isMock = mode === 'demo';
  const [stats, setStats] = useState<UserStats | null>(null);
  const [days, setDays] = useState<DayFigures[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const today = new Date();
    const since = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (DAYS - 1)).toISOString();
    const [totals, logs] = await Promise.all([
      supabase.from('user_stats').select('*').eq('user_email', userEmail).eq('is_mock', isMock).maybeSingle(),
      supabase
        .from('call_logs')
        .select('started_at, ended_at, outcome, answered_at, talk_seconds')
        .eq('user_email', userEmail)
        .eq('is_mock', isMock)
        .gte('started_at', since)
        .limit(10_000),
    ]);
    if (totals.error || logs.error) return setError(`Could not load your stats: ${(totals.error ?? logs.error)?.message ?? ''}`);
    setError(null);
    setStats(totals.data as UserStats | null);
    setDays(computeDailyStats(logs.data as LogForStats[], DAYS, today));
  }, [supabase, userEmail, isMock]);

  useEffect(() => {
    void load();
  }, [load]);
  useTableChanges('user_stats', userEmail, () => void load());

  const calls = stats?.calls_made ?? 0;
  const connects = stats?.connects ?? 0;
  const talkSeconds = Number(stats?.talk_seconds ?? 0);
  return (
    <section className="card" aria-labelledby="stats-title">
      <header className="card__header">
        <h2 id="stats-title">Stats</h2>
        <div className="segmented" role="group" aria-label="Which calls">
          {(['real', 'demo'] as const).map((m) => (
            <button key={m} type="button" className={`button button--small${m === mode ? ' button--primary' : ' button--ghost'}`} aria-pressed={m === mode} onClick={() => setMode(m)}>
              {m === 'real' ? 'Real calls' : 'Demo calls'}
            </button>
          ))}
        </div>
      </header>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="tiles" data-testid="stats-tiles">
        <Tile label="Calls made" value={String(calls)} />
        <Tile label="Connects" value={String(connects)} />
        <Tile label="Connect rate" value={calls === 0 ? '—' : `${Math.round((connects / calls) * 100)}%`} />
        <Tile label="Talk time" value={formatDuration(talkSeconds)} detail={connects > 0 ? `${formatDuration(talkSeconds / connects)} per connect` : undefined} />
        <Tile label="Voicemails" value={String(stats?.voicemails ?? 0)} />
        <Tile label="No answer" value={String(stats?.no_answers ?? 0)} detail={`${stats?.busy ?? 0} busy, ${stats?.failed ?? 0} failed`} />
      </div>
      <h3 className="section-title">Last {DAYS} days</h3>
      {days ? <StatsCharts days={days} /> : <p className="muted">Loading…</p>}
    </section>
  );
}

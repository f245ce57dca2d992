import type { CallLog } from '../../../src/core/rows.js';
import { localDay } from './format.js';

export interface DayFigures {
  readonly day: string;
  readonly label: string;
  readonly calls: number;
  readonly connects: number;
  /** Percent of the day's calls that connected; null on a day without calls. */
  readonly connectRate: number | null;
  readonly talkSeconds: number;
}

export type LogForStats = Pick<CallLog, 'started_at' | 'ended_at' | 'outcome' | 'answered_at' | 'talk_seconds'>;

const dayLabel = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric' });

/** A connect is what user_stats counts as one: a completed call that was answered. */
export const isConnect = (log: Pick<LogForStats, 'outcome' | 'answered_at'>) => log.outcome === 'completed' && log.answered_at !== null;

/** Per-day figures for the `days` local days ending `today`, with empty days kept as zeros. */
export function computeDailyStats(logs: readonly LogForStats[], days: number, today: Date): DayFigures[] {
  const byDay = new Map<string, { calls: number; connects: number; talkSeconds: number }>();
  for (const log of logs) {
    const when = log.started_at ?? log.ended_at;
    if (!when) continue;
    const day = localDay(new Date(when));
    const figures = byDay.get(day) ?? { calls: 0, connects: 0, talkSeconds: 0 };
    figures.calls += 1;
    if (isConnect(log)) figures.connects += 1;
    figures.talkSeconds += log.talk_seconds;
    byDay.set(day, figures);
  }
  return Array.from({ length: days }, (_, index) => {
    const date = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1 - index));
    const day = localDay(date);
    const figures = byDay.get(day) ?? { calls: 0, connects: 0, talkSeconds: 0 };
    return {
      day,
      label: dayLabel.format(date),
      calls: figures.calls,
      connects: figures.connects,
      connectRate: figures.calls === 0 ? null : Math.round((figures.connects / figures.calls) * 100),
      talkSeconds: figures.talkSeconds,
    };
  });
}

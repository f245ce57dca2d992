import { describe, expect, it } from 'vitest';
import { computeDailyStats } from './daily-stats.js';

const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).toISOString();

describe('computeDailyStats', () => {
  it('counts calls, connects and talk time per local day, keeping empty days', () => {
    const logs = [
      { started_at: at(2026, 3, 9), ended_at: at(2026, 3, 9), outcome: 'completed' as const, answered_at: at(2026, 3, 9), talk_seconds: 90 },
      { started_at: at(2026, 3, 9), ended_at: at(2026, 3, 9), outcome: 'no-answer' as const, answered_at: null, talk_seconds: 0 },
      { started_at: at(2026, 3, 7), ended_at: at(2026, 3, 7), outcome: 'completed' as const, answered_at: null, talk_seconds: 0 },
      { started_at: at(2026, 2, 1), ended_at: at(2026, 2, 1), outcome: 'busy' as const, answered_at: null, talk_seconds: 0 },
    ];
    const days = computeDailyStats(logs, 3, new Date(2026, 2, 9, 18));
    expect(days.map((d) => [d.day, d.calls, d.connects, d.connectRate, d.talkSeconds])).toEqual([
      ['2026-03-07', 1, 0, 0, 0],
      ['2026-03-08', 0, 0, null, 0],
      ['2026-03-09', 2, 1, 50, 90],
    ]);
  });
});

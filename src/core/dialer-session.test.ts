import { describe, expect, it } from 'vitest';
import {
  compareQueueLeads,
  countSessionEvent,
  EMPTY_SESSION_COUNTS,
  isDialingStatus,
  moveSession,
  normalizeSessionFilter,
  SESSION_ACTIONS,
  SESSION_MOVES,
  SESSION_STATUSES,
  sessionFilterSchema,
  skipReasonOf,
  type QueueLead,
  type SessionStatus,
} from './dialer-session.js';

describe('power-dial session moves', () => {
  it('every (status, action) pair: the table moves, a same-status move is a no-op, stopped is final', () => {
    const statuses: (SessionStatus | null)[] = [null, ...SESSION_STATUSES];
    const seen: string[] = [];
    for (const current of statuses) {
      for (const action of SESSION_ACTIONS) {
        const result = moveSession(current, action);
        const move = SESSION_MOVES[action];
        if (move.from.includes(current)) expect(result).toEqual({ ok: true, value: { to: move.to, isChange: true } });
        else if (current === move.to && action !== 'start') expect(result).toEqual({ ok: true, value: { to: move.to, isChange: false } });
        else expect(result.ok).toBe(false);
        seen.push(`${String(current)} ${action} -> ${result.ok ? `${result.value.to}${result.value.isChange ? '' : ' (no-op)'}` : result.error.code}`);
      }
    }
    expect(seen).toEqual([
      'null start -> active',
      'null pause -> session_not_found',
      'null resume -> session_not_found',
      'null stop -> session_not_found',
      'active start -> session_active',
      'active pause -> paused',
      'active resume -> active (no-op)',
      'active stop -> stopped',
      'paused start -> session_active',
      'paused pause -> paused (no-op)',
      'paused resume -> active',
      'paused stop -> stopped',
      'stopped start -> session_stopped',
      'stopped pause -> session_stopped',
      'stopped resume -> session_stopped',
      'stopped stop -> stopped (no-op)',
    ]);
  });

  it('only an active session starts new dials; a paused one lets its live calls finish', () => {
    expect(SESSION_STATUSES.filter(isDialingStatus)).toEqual(['active']);
  });
});

describe('the saved filter of a list', () => {
  it('takes statuses and callbacksOnly, sorted and unique; refuses do_not_call, unknown fields and an empty list', () => {
    const parsed = sessionFilterSchema.parse({ statuses: ['new', 'callback', 'new'], callbacksOnly: true });
    expect(normalizeSessionFilter(parsed)).toEqual({ statuses: ['callback', 'new'], callbacksOnly: true });
    expect(normalizeSessionFilter(sessionFilterSchema.parse({ callbacksOnly: false }))).toEqual({});
    expect(sessionFilterSchema.safeParse({ statuses: ['do_not_call'] }).success).toBe(false);
    expect(sessionFilterSchema.safeParse({ statuses: [] }).success).toBe(false);
    expect(sessionFilterSchema.safeParse({ sql: 'true' }).success).toBe(false);
  });
});

describe('the queue order', () => {
  const now = new Date('2026-03-02T15:00:00Z');
  const at = (iso: string) => new Date(iso);
  const lead = (id: string, createdAt: string, callbackAt: string | null = null): QueueLead => ({ id, createdAt: at(createdAt), callbackAt: callbackAt ? at(callbackAt) : null });

  it('due callbacks first (earliest due first), then the list order by created_at and id; a callback not yet due waits its list turn', () => {
    const leads = [
      lead('e', '2026-03-01T10:00:00Z'),
      lead('b', '2026-03-01T09:00:00Z'),
      lead('a', '2026-03-01T09:00:00Z'),
      lead('late-callback', '2026-03-01T08:00:00Z', '2026-03-02T16:00:00Z'),
      lead('due-second', '2026-03-01T11:00:00Z', '2026-03-02T14:30:00Z'),
      lead('due-first', '2026-03-01T12:00:00Z', '2026-03-02T14:00:00Z'),
      lead('due-now', '2026-03-01T13:00:00Z', '2026-03-02T15:00:00Z'),
    ];
    expect([...leads].sort((x, y) => compareQueueLeads(now, x, y)).map((l) => l.id)).toEqual(['due-first', 'due-second', 'due-now', 'late-callback', 'a', 'b', 'e']);
  });
});

describe('session counters', () => {
  it('count one event at a time; a skip counts in skipped and under its reason', () => {
    let counts = EMPTY_SESSION_COUNTS;
    counts = countSessionEvent(counts, { kind: 'dialed' });
    counts = countSessionEvent(counts, { kind: 'dialed' });
    counts = countSessionEvent(counts, { kind: 'connected' });
    counts = countSessionEvent(counts, { kind: 'skipped', reason: 'do_not_call' });
    counts = countSessionEvent(counts, { kind: 'skipped', reason: 'outside_calling_hours' });
    counts = countSessionEvent(counts, { kind: 'skipped', reason: 'do_not_call' });
    expect(counts).toEqual({ dialed: 2, connected: 1, voicemail: 0, abandoned: 0, skipped: 3, skippedReasons: { do_not_call: 2, outside_calling_hours: 1 } });
    expect(['do_not_call', 'outside_calling_hours', 'attempt_limit_reached', 'line_busy', 'twilio_error'].map(skipReasonOf)).toEqual([
      'do_not_call',
      'outside_calling_hours',
      'attempt_limit_reached',
      null,
      null,
    ]);
    expect(EMPTY_SESSION_COUNTS).toEqual({ dialed: 0, connected: 0, voicemail: 0, abandoned: 0, skipped: 0, skippedReasons: {} });
  });
});

import { describe, expect, it } from 'vitest';
import { CALL_STATUSES, CALL_TRANSITIONS, canTransition, isTerminal, parseCallStatus, STATUS_DISPLAY, TERMINAL_STATUSES } from './call-status.js';

const RANK = { dialing: 0, ringing: 1, 'in-progress': 2 } as const;
const rankOf = (status: (typeof CALL_STATUSES)[number]) => (isTerminal(status) ? 3 : RANK[status]);

describe('call status table', () => {
  it('ST1 no transition moves backwards or sideways', () => {
    for (const from of CALL_STATUSES) for (const to of CALL_TRANSITIONS[from]) expect(rankOf(to), `${from} -> ${to}`).toBeGreaterThan(rankOf(from));
  });

  it('ST2 a terminal status has no way out, and every other status can end', () => {
    for (const status of TERMINAL_STATUSES) expect(CALL_TRANSITIONS[status]).toEqual([]);
    for (const status of CALL_STATUSES.filter((s) => !isTerminal(s))) expect(CALL_TRANSITIONS[status].some(isTerminal)).toBe(true);
  });

  it('follows the documented paths', () => {
    expect(canTransition('dialing', 'ringing')).toBe(true);
    expect(canTransition('ringing', 'voicemail_detected')).toBe(true);
    expect(canTransition('in-progress', 'failed')).toBe(true);
    expect(canTransition('in-progress', 'ringing')).toBe(false);
    expect(canTransition('in-progress', 'busy')).toBe(false);
    expect(canTransition('completed', 'failed')).toBe(false);
  });

  it('reads the seed aliases and nothing else', () => {
    expect(parseCallStatus('connected')).toBe('in-progress');
    expect(parseCallStatus('ended')).toBe('completed');
    expect(parseCallStatus('busy')).toBe('busy');
    expect(parseCallStatus('idle')).toBeUndefined();
  });

  it('has one label for each status', () => {
    expect(Object.keys(STATUS_DISPLAY).sort()).toEqual([...CALL_STATUSES].sort());
  });
});

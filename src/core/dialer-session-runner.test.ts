import { describe, expect, it } from 'vitest';
import { answerVerdict, isServerLost, linesToDial, machineActionOf, seedForLead } from './dialer-session-runner.js';

describe('session runner decisions', () => {
  it('PD1 a verdict: a person, a machine, AMD still listening, no answer', () => {
    const at = new Date(0);
    expect(answerVerdict({ status: 'in-progress', answered_at: at, answered_by: 'human', amd_enabled: true })).toBe('human');
    expect(answerVerdict({ status: 'in-progress', answered_at: at, answered_by: null, amd_enabled: false })).toBe('human');
    expect(answerVerdict({ status: 'in-progress', answered_at: at, answered_by: null, amd_enabled: true })).toBe('pending');
    expect(answerVerdict({ status: 'voicemail_detected', answered_at: at, answered_by: null, amd_enabled: true })).toBe('machine');
    expect(answerVerdict({ status: 'in-progress', answered_at: at, answered_by: 'machine_start', amd_enabled: true })).toBe('machine');
    expect(answerVerdict({ status: 'in-progress', answered_at: at, answered_by: 'fax', amd_enabled: true })).toBe('machine');
    expect(answerVerdict({ status: 'ringing', answered_at: null, answered_by: null, amd_enabled: true })).toBe('unanswered');
  });

  it('PD1 lines to dial: free lines within the allowance, none while paused, connected or in wrap-up', () => {
    const base = { status: 'active', linesAllowed: 3, liveLines: [], isConnected: false, isWrapUp: false } as const;
    expect(linesToDial(base)).toEqual([1, 2, 3]);
    expect(linesToDial({ ...base, liveLines: [2] })).toEqual([1, 3]);
    expect(linesToDial({ ...base, linesAllowed: 1, liveLines: [] })).toEqual([1]);
    // A live call on line 3 (placed before the allowance dropped) still takes the one line allowed.
    expect(linesToDial({ ...base, linesAllowed: 1, liveLines: [3] })).toEqual([]);
    expect(linesToDial({ ...base, status: 'paused' })).toEqual([]);
    expect(linesToDial({ ...base, isConnected: true })).toEqual([]);
    expect(linesToDial({ ...base, isWrapUp: true })).toEqual([]);
  });

  it('a lead seed is stable and a 31-bit integer', () => {
    const seed = seedForLead('0b6c4d0e-8f7a-4d51-9d1c-3f2b1a0e9c77');
    expect(seed).toBe(seedForLead('0b6c4d0e-8f7a-4d51-9d1c-3f2b1a0e9c77'));
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
    expect(seedForLead('a')).not.toBe(seedForLead('b'));
  });

  it("a machine gets the list's message after the beep, or is hung up", () => {
    expect(machineActionOf({ voicemail_action: 'leave', voicemail_message: ' Hi, call us back. ' })).toEqual({ kind: 'leave', message: 'Hi, call us back.' });
    expect(machineActionOf({ voicemail_action: 'leave', voicemail_message: '  ' })).toEqual({ kind: 'hang_up' });
    expect(machineActionOf({ voicemail_action: 'leave', voicemail_message: null })).toEqual({ kind: 'hang_up' });
    expect(machineActionOf({ voicemail_action: 'hangup', voicemail_message: 'unused' })).toEqual({ kind: 'hang_up' });
  });

  it('a lease that ran out in another server means that server was lost; one given up or still held does not', () => {
    const now = new Date(100_000);
    expect(isServerLost({ runnerId: 'a', runnerUntil: new Date(99_000) }, 'b', now)).toBe(true);
    expect(isServerLost({ runnerId: 'a', runnerUntil: new Date(100_000) }, 'b', now)).toBe(true);
    expect(isServerLost({ runnerId: 'a', runnerUntil: new Date(101_000) }, 'b', now)).toBe(false);
    expect(isServerLost({ runnerId: null, runnerUntil: null }, 'b', now)).toBe(false);
    // This server's own lapsed lease (it was stalled, not lost): it carries on.
    expect(isServerLost({ runnerId: 'b', runnerUntil: new Date(99_000) }, 'b', now)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { leadStatusAfterDisposition, leadStatusAfterSet } from './dispositions.js';
import { DISPOSITIONS, LEAD_STATUSES } from './rows.js';

describe('leadStatusAfterDisposition', () => {
  it('sets the status a disposition names on the latest call', () => {
    expect(leadStatusAfterDisposition('interested', 'contacted', true)).toBe('interested');
    expect(leadStatusAfterDisposition('voicemail_left', 'attempted', true)).toBe('voicemail');
    expect(leadStatusAfterDisposition('other', 'contacted', true)).toBeNull();
    expect(leadStatusAfterDisposition('interested', 'interested', true)).toBeNull();
  });

  it('a correction of an older call leaves the lead alone, but a do-not-call request always applies', () => {
    expect(leadStatusAfterDisposition('interested', 'callback', false)).toBeNull();
    expect(leadStatusAfterDisposition('do_not_call', 'callback', false)).toBe('do_not_call');
  });

  it('do_not_call is sticky for every disposition', () => {
    for (const disposition of DISPOSITIONS) {
      expect(leadStatusAfterDisposition(disposition, 'do_not_call', true)).toBeNull();
    }
  });

  it('only ever answers a lead status', () => {
    for (const disposition of DISPOSITIONS) {
      for (const status of LEAD_STATUSES) {
        const next = leadStatusAfterDisposition(disposition, status, true);
        if (next !== null) expect(LEAD_STATUSES).toContain(next);
      }
    }
  });
});

describe('leadStatusAfterSet', () => {
  it('sets any status on a lead that has another, do_not_call included', () => {
    expect(leadStatusAfterSet('interested', 'new')).toEqual({ kind: 'change', status: 'interested' });
    expect(leadStatusAfterSet('do_not_call', 'callback')).toEqual({ kind: 'change', status: 'do_not_call' });
    expect(leadStatusAfterSet('new', 'new')).toEqual({ kind: 'unchanged' });
  });

  it('never clears do_not_call, whatever status is asked for', () => {
    for (const status of LEAD_STATUSES) {
      expect(leadStatusAfterSet(status, 'do_not_call')).toEqual(status === 'do_not_call' ? { kind: 'unchanged' } : { kind: 'sticky' });
    }
  });
});

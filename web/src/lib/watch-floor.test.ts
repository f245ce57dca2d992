import { describe, expect, it } from 'vitest';
import { RowSet } from './watch-floor.js';

interface Line {
  readonly id: string;
  readonly status: 'live' | 'ended';
}

const lines = () =>
  new RowSet<Line>(
    (line) => line.id,
    () => true,
    (line) => line.status === 'live',
  );

describe('RowSet (the floor keeps live calls from realtime and refetches)', () => {
  it('RT1 a refetch replaces what realtime said before it began, and keeps what it said after', () => {
    const set = lines();
    set.offer({ id: 'a', status: 'live' });
    set.offer({ id: 'b', status: 'live' });
    const fetchStartedAt = performance.now();
    while (performance.now() <= fetchStartedAt); // the next offers come strictly after it
    // After the fetch began: c started and b ended; the fetch, read earlier, still has b and not c.
    set.offer({ id: 'c', status: 'live' });
    set.offer({ id: 'b', status: 'ended' });
    set.replace([{ id: 'b', status: 'live' }], fetchStartedAt);
    expect([...set.snapshot().keys()].sort()).toEqual(['c']);
  });

  it('hands React a new map only when something changed, and the same one otherwise', () => {
    const set = lines();
    set.offer({ id: 'a', status: 'live' });
    const first = set.snapshot();
    expect(set.snapshot()).toBe(first);
    set.offer({ id: 'a', status: 'ended' });
    const second = set.snapshot();
    expect(second).not.toBe(first);
    expect(second.size).toBe(0);
    expect(first.size).toBe(1);
  });
});

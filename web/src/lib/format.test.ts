import { describe, expect, it } from 'vitest';
import { formatDuration, localDay } from './format.js';

describe('formatDuration', () => {
  it('reads as minutes and seconds, with hours only when needed', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(-3)).toBe('0:00');
  });
});

describe('localDay', () => {
  it('names the local calendar day', () => {
    expect(localDay(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesFilter, parseRowFilter } from './filter.js';

const columns = new Map([
  ['line_number', 'int4'],
  ['user_email', 'text'],
  ['lead_id', 'uuid'],
  ['is_mock', 'bool'],
  ['started_at', 'timestamptz'],
]);

function matches(filter: string, row: Record<string, unknown>): boolean {
  const parsed = parseRowFilter(filter, columns);
  if (!parsed.ok) throw new Error(parsed.reason);
  return matchesFilter(parsed.filter, row, columns);
}

describe('realtime filters', () => {
  it('compares numbers as numbers, not text', () => {
    expect(matches('line_number=lt.10', { line_number: 9 })).toBe(true);
    expect(matches('line_number=gt.10', { line_number: 9 })).toBe(false);
    expect(matches('line_number=in.(1,3)', { line_number: 3 })).toBe(true);
  });

  it('compares timestamps as instants', () => {
    expect(matches('started_at=gte.2026-01-01T00:00:00Z', { started_at: '2026-01-01T01:00:00+01:00' })).toBe(true);
    expect(matches('started_at=gt.2026-01-01T00:00:00Z', { started_at: '2026-01-01T01:00:00+01:00' })).toBe(false);
  });

  it('never matches null with a comparison, as SQL would not; is.null does', () => {
    for (const op of ['eq', 'neq', 'lt', 'lte', 'gt', 'gte']) expect(matches(`lead_id=${op}.x`, { lead_id: null })).toBe(false);
    expect(matches('lead_id=is.null', { lead_id: null })).toBe(true);
    expect(matches('lead_id=is.null', { lead_id: 'a' })).toBe(false);
    expect(matches('is_mock=is.true', { is_mock: true })).toBe(true);
  });

  it('keeps the rest of an email after the first dot', () => {
    expect(matches('user_email=eq.a.b@example.com', { user_email: 'a.b@example.com' })).toBe(true);
  });

  it.each(['', 'line_number', 'line_number=eq', 'line_number=like.1', 'nope=eq.1', 'line_number=in.1,2', 'lead_id=is.maybe', "x'; drop table t; --=eq.1"])(
    'refuses %j with a reason (an empty filter means none)',
    (filter) => {
      const parsed = parseRowFilter(filter, columns);
      if (filter === '') expect(parsed).toEqual({ ok: true, filter: undefined });
      else expect(parsed.ok).toBe(false);
    },
  );

  it('eq and neq split every row in two, lt/gte and lte/gt too (seeded property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 }), (value, bound) => {
        const row = { line_number: value };
        expect(matches(`line_number=eq.${bound}`, row)).toBe(!matches(`line_number=neq.${bound}`, row));
        expect(matches(`line_number=lt.${bound}`, row)).toBe(!matches(`line_number=gte.${bound}`, row));
        expect(matches(`line_number=lte.${bound}`, row)).toBe(!matches(`line_number=gt.${bound}`, row));
        expect(matches(`line_number=lt.${bound}`, row)).toBe(value < bound);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

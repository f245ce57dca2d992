import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesFilter, parseRowFilter } from './filter.js';

const columns = new Map([
  ['id', 'uuid'],
  ['company', 'text'],
  ['mock_config', 'jsonb'],
  ['line_number', 'int4'],
  ['user_email', 'text'],
  ['lead_id', 'uuid'],
  ['is_mock', 'bool'],
  ['started_at', 'timestamptz'],
]);

function matches(filter: string, row: Record<string, unknown>): boolean {
  const parsed = parseRowFilter(filter, columns);
  if (!parsed.ok) throw new Error(parsed.reason);
  return matchesFilter(parsed.filter, row);
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
    for (const op of ['eq', 'neq', 'lt', 'lte', 'gt', 'gte']) expect(matches(`lead_id=${op}.0f8fad5b-d9cb-469f-a165-70867728950e`, { lead_id: null })).toBe(false);
    expect(matches('lead_id=is.null', { lead_id: null })).toBe(true);
    expect(matches('lead_id=is.null', { lead_id: 'a' })).toBe(false);
    expect(matches('is_mock=is.true', { is_mock: true })).toBe(true);
  });

  it('keeps the rest of an email after the first dot', () => {
    expect(matches('user_email=eq.a.b@example.com', { user_email: 'a.b@example.com' })).toBe(true);
  });

  it('matches a uuid written in upper case, as Postgres compares uuids', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(matches(`id=eq.${id.toUpperCase()}`, { id })).toBe(true);
    expect(matches(`id=in.(${id.toUpperCase()},{${id}})`, { id })).toBe(true);
  });

  it('keeps a comma inside a quoted in value, as PostgREST does', () => {
    expect(matches('company=in.("Acme, Inc",Initech)', { company: 'Acme, Inc' })).toBe(true);
    expect(matches('company=in.("Acme, Inc",Initech)', { company: 'Acme' })).toBe(false);
    expect(matches('company=in.(null)', { company: null })).toBe(false);
    expect(matches('company=in.(null)', { company: 'null' })).toBe(true);
  });

  it('reads is.not_null and is.unknown; is.true needs a boolean column, as in Postgres', () => {
    expect(matches('lead_id=is.not_null', { lead_id: 'a' })).toBe(true);
    expect(matches('is_mock=is.unknown', { is_mock: null })).toBe(true);
    expect(parseRowFilter('company=is.true', columns)).toMatchObject({ ok: false });
    expect(matches('mock_config=is.null', { mock_config: null })).toBe(true);
  });

  it.each([
    ['id=eq.not-a-uuid', 'invalid input syntax for type uuid'],
    ['line_number=eq.1.5', 'invalid input syntax for type integer'],
    ['line_number=gt.99999999999', 'out of range for type integer'],
    ['is_mock=eq.maybe', 'invalid input syntax for type boolean'],
    ['started_at=lt.2026-02-30T00:00:00Z', 'out of range'],
    ['started_at=lt.yesterday', 'not a timestamp realtime reads'],
    ['mock_config=eq.{}', 'cannot compare values'],
    ['company=like.Acme*', 'do not take like'],
    ['company=not.eq.Acme', 'do not take not.'],
  ])('refuses %j with a reason naming the fault', (filter, reason) => {
    const parsed = parseRowFilter(filter, columns);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
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

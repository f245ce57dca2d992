import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFilter, parseList, parseOrder, parseSelect } from './parse-params.js';

/** How postgrest-js's `.in()` writes a list: values with , ( or ) are double-quoted. */
function encodeLikePostgrestJs(values: readonly string[]): string {
  return `(${values.map((value) => (/[,()]/.test(value) ? `"${value}"` : value)).join(',')})`;
}

describe('parseFilter', () => {
  it('reads each comparison operator and keeps the rest of the text as the value', () => {
    for (const operator of ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike'] as const) {
      expect(parseFilter('name', `${operator}.a.b`)).toEqual({ ok: true, value: { kind: 'compare', column: 'name', isNegated: false, operator, value: 'a.b' } });
    }
  });

  it('reads not., in lists and is values', () => {
    expect(parseFilter('status', 'not.eq.new')).toMatchObject({ ok: true, value: { kind: 'compare', isNegated: true, operator: 'eq', value: 'new' } });
    expect(parseFilter('id', 'in.(1,2,3)')).toEqual({ ok: true, value: { kind: 'in', column: 'id', isNegated: false, values: ['1', '2', '3'] } });
    expect(parseFilter('id', 'not.in.()')).toEqual({ ok: true, value: { kind: 'in', column: 'id', isNegated: true, values: [] } });
    expect(parseFilter('lead_id', 'is.null')).toEqual({ ok: true, value: { kind: 'is', column: 'lead_id', isNegated: false, value: 'null' } });
    expect(parseFilter('is_mock', 'is.TRUE')).toMatchObject({ ok: true, value: { value: 'true' } });
  });

  it('IN1 refuses an unknown operator, a missing value and a bad is value with PGRST100', () => {
    for (const text of ['eqq.1', 'eq', 'cs.{a}', 'like(any).{a*}', 'is.maybe', 'in.1,2', 'in.(a', 'in.(a)b']) {
      const result = parseFilter('name', text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ status: 400, code: 'PGRST100', message: `failed to parse filter (${text})` });
    }
  });
});

describe('parseList', () => {
  it('reads quoted elements with commas, parentheses and backslash escapes', () => {
    expect(parseList('(a,"b,c","(d)","e\\"f",)')).toEqual(['a', 'b,c', '(d)', 'e"f', '']);
    expect(parseList('()')).toEqual([]);
    expect(parseList('(a)b')).toBeUndefined();
    // As PostgREST: an unquoted element runs to the next , or ), and a quote that does not
    // close before one is part of the value.
    expect(parseList('(a(b)')).toEqual(['a(b']);
    expect(parseList('("a"b)')).toEqual(['"a"b']);
  });

  it('reads back every list postgrest-js writes (seeded property)', () => {
    // PostgREST skips spaces and tabs after the opening parenthesis, so a first value cannot start with one.
    const value = fc.string({ maxLength: 12 }).filter((text) => !text.includes('"') && !text.includes('\\') && !/^[ \t]/.test(text));
    fc.assert(
      // A list of one empty string is written `()`, the empty list, so it cannot round-trip.
      fc.property(fc.uniqueArray(value, { minLength: 1, maxLength: 6 }).filter((values) => values.join('') !== '' || values.length > 1), (values) => {
        expect(parseList(encodeLikePostgrestJs(values))).toEqual(values);
      }),
      { seed: 20241124, numRuns: 500 },
    );
  });
});

describe('parseSelect', () => {
  it('reads *, columns, aliases and quoted names', () => {
    expect(parseSelect('*')).toEqual({ ok: true, value: [{ kind: 'all' }] });
    expect(parseSelect('id,label:name,"user_email"')).toEqual({
      ok: true,
      value: [
        { kind: 'column', column: 'id', alias: undefined },
        { kind: 'column', column: 'name', alias: 'label' },
        { kind: 'column', column: 'user_email', alias: undefined },
      ],
    });
    expect(parseSelect('')).toEqual({ ok: true, value: [] });
  });

  it('IN1 refuses embedded resources, casts, JSON paths, bad aliases and empty items', () => {
    for (const text of ['id,leads(*)', 'id::text', 'mock_config->seed', 'a b:name', 'id,,name', '"id']) {
      expect(parseSelect(text), text).toMatchObject({ ok: false, error: { code: 'PGRST100', status: 400 } });
    }
  });
});

describe('parseOrder', () => {
  it('reads several columns with direction and nulls placement', () => {
    expect(parseOrder('started_at.desc.nullslast,id,name.asc,lead_id.nullsfirst')).toEqual({
      ok: true,
      value: [
        { column: 'started_at', direction: 'desc', nulls: 'last' },
        { column: 'id', direction: 'asc', nulls: undefined },
        { column: 'name', direction: 'asc', nulls: undefined },
        { column: 'lead_id', direction: 'asc', nulls: 'first' },
      ],
    });
  });

  it('IN1 refuses unknown modifiers and empty terms', () => {
    for (const text of ['id.sideways', 'id.nullslast.desc', ',id', 'id.desc.asc']) {
      expect(parseOrder(text), text).toMatchObject({ ok: false, error: { code: 'PGRST100', message: `failed to parse order (${text})` } });
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFilterExpression, parseInList } from './filter-grammar.js';

/** How a client writes a list with PostgREST's quoting: every element quoted, \ and " escaped. */
function quoteAll(values: readonly string[]): string {
  return `(${values.map((value) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')})`;
}

describe('filter grammar shared by REST and realtime', () => {
  it('keeps the whole rest of the text as a comparison value, dots included', () => {
    expect(parseFilterExpression('eq.a.b@example.com')).toEqual({ ok: true, value: { kind: 'compare', isNegated: false, operator: 'eq', value: 'a.b@example.com' } });
    expect(parseFilterExpression('not.lt.')).toEqual({ ok: true, value: { kind: 'compare', isNegated: true, operator: 'lt', value: '' } });
  });

  it('reads is values in any case', () => {
    expect(parseFilterExpression('is.NULL')).toEqual({ ok: true, value: { kind: 'is', isNegated: false, value: 'null' } });
    expect(parseFilterExpression('not.is.Not_Null')).toEqual({ ok: true, value: { kind: 'is', isNegated: true, value: 'not_null' } });
  });

  it.each(['eq', 'eqq.1', 'cs.{a}', 'is.maybe', 'is.nullx', 'in.1,2', 'in.(a', 'in.("a"', 'in.(a)b', 'not.'])('refuses %j with a reason', (text) => {
    const parsed = parseFilterExpression(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).not.toBe('');
  });
});

describe('in lists, with PostgREST quoting', () => {
  it('keeps commas and parentheses inside double quotes', () => {
    expect(parseInList('("Acme, Inc",Initech)')).toEqual(['Acme, Inc', 'Initech']);
    expect(parseInList('("(d)","e\\"f","g\\\\h")')).toEqual(['(d)', 'e"f', 'g\\h']);
  });

  it('reads null as the text "null": SQL NULL is is.null', () => {
    expect(parseInList('(null,"null")')).toEqual(['null', 'null']);
  });

  it('takes an unquoted element as written, quotes and inner spaces included, as PostgREST does', () => {
    expect(parseInList('( a, b )')).toEqual(['a', ' b ']);
    expect(parseInList('("a"b,c"d")')).toEqual(['"a"b', 'c"d"']);
    expect(parseInList('(a(b)')).toEqual(['a(b']);
    expect(parseInList('("open)')).toEqual(['"open']);
    expect(parseInList('("a\\")')).toEqual(['"a\\"']);
    expect(parseInList('(a,,)')).toEqual(['a', '', '']);
  });

  it('reads () and ("") as the empty list, which matches no row', () => {
    expect(parseInList('()')).toEqual([]);
    expect(parseInList('("")')).toEqual([]);
    expect(parseInList(' ( ) ')).toEqual([]);
  });

  it.each(['', 'a,b', '(a', '(a))', '(a)b', '("a"'])('refuses %j', (text) => {
    expect(parseInList(text)).toBeUndefined();
  });

  it('reads back any list written with every element quoted (seeded property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 6 }).filter((values) => values.length > 1 || values[0] !== ''), (values) => {
        expect(parseInList(quoteAll(values))).toEqual(values);
      }),
      { seed: 20260601, numRuns: 500 },
    );
  });
});

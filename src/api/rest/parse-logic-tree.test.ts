import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LOGIC_CONDITIONS, MAX_LOGIC_DEPTH, parseLogicTree, type Condition, type LogicTree } from './parse-logic-tree.js';

const eq = (column: string, value: string, isNegated = false): Condition => ({ kind: 'compare', column, isNegated, operator: 'eq', value });
const tree = (operator: 'and' | 'or', conditions: Condition[], isNegated = false): LogicTree => ({ kind: 'logic', operator, isNegated, conditions });

describe('parseLogicTree', () => {
  it("reads supabase-js's .or() list of filters", () => {
    expect(parseLogicTree('or', '(name.ilike.*acme*,company.ilike.*acme*,phone.like.*415*)')).toEqual({
      ok: true,
      value: tree('or', [
        { kind: 'compare', column: 'name', isNegated: false, operator: 'ilike', value: '*acme*' },
        { kind: 'compare', column: 'company', isNegated: false, operator: 'ilike', value: '*acme*' },
        { kind: 'compare', column: 'phone', isNegated: false, operator: 'like', value: '*415*' },
      ]),
    });
  });

  it('reads nested and/or, not. on trees and on filters, in lists and is values', () => {
    expect(parseLogicTree('not.and', '(a.eq.1,or(b.not.eq.2,not.and(c.in.(x,"y,z"),d.is.NULL)),e.not.is.null)')).toEqual({
      ok: true,
      value: tree(
        'and',
        [
          eq('a', '1'),
          tree('or', [eq('b', '2', true), tree('and', [{ kind: 'in', column: 'c', isNegated: false, values: ['x', 'y,z'] }, { kind: 'is', column: 'd', isNegated: false, value: 'null' }], true)]),
          { kind: 'is', column: 'e', isNegated: true, value: 'null' },
        ],
        true,
      ),
    });
  });

  it('reads double-quoted values with commas, parentheses and backslash escapes, and values with dots', () => {
    expect(parseLogicTree('or', '(company.eq."Acme, Inc (West)",name.eq."say \\"hi\\" \\\\ bye",email.eq.a.b@example.com)')).toEqual({
      ok: true,
      value: tree('or', [eq('company', 'Acme, Inc (West)'), eq('name', 'say "hi" \\ bye'), eq('email', 'a.b@example.com')]),
    });
    // As PostgREST: a quote not followed by , or ) is part of a bare value.
    expect(parseLogicTree('or', '(name.eq."a"b,name.eq.c"d)')).toEqual({ ok: true, value: tree('or', [eq('name', '"a"b'), eq('name', 'c"d')]) });
  });

  it("takes a value starting with ( or [ up to the first ) or ], as PostgREST's range literal", () => {
    expect(parseLogicTree('or', '(company.eq.(West),name.eq.[1,2))')).toEqual({ ok: true, value: tree('or', [eq('company', '(West)'), eq('name', '[1,2)')]) });
  });

  it('skips spaces after ( , and ), and keeps them inside bare values', () => {
    expect(parseLogicTree('and', '( a.eq.x y , b.eq.1 ) ')).toEqual({ ok: true, value: tree('and', [eq('a', 'x y '), eq('b', '1 ')]) });
  });

  it('IN1 refuses bad syntax with PostgREST\'s message shape: the tree, the column of the fault, what was expected', () => {
    expect(parseLogicTree('or', '(a.eq.1,b)')).toEqual({
      ok: false,
      error: { status: 400, code: 'PGRST100', message: '"failed to parse logic tree ((a.eq.1,b))" (line 1, column 12)', details: 'unexpected ")" expecting "."', hint: null },
    });
    const cases: Array<[string, string, string]> = [
      ['or', 'a.eq.1', 'unexpected "a" expecting "("'],
      ['or', '()', 'unexpected ")" expecting column name'],
      ['or', '(a.eq.1', 'unexpected end of input expecting "," or ")"'],
      ['or', '(a.eq.1))', 'unexpected ")" expecting end of input'],
      ['or', '(a.cs.{1})', 'unexpected "c" expecting operator (eq, neq, gt, gte, lt, lte, like, ilike, in, is)'],
      ['or', '(a.is.maybe)', 'unexpected "m" expecting null or trilean value (null, not_null, true, false, unknown)'],
      ['and', '(a.in.(1,2)', 'unexpected end of input expecting "," or ")"'],
      ['or', '(a->b.eq.1)', 'JSON paths are not supported by this server.'],
      ['or', '(xor(a.eq.1))', 'unexpected "(" expecting "."'],
    ];
    for (const [key, value, details] of cases) {
      const result = parseLogicTree(key, value);
      expect(result, `${key}=${value}`).toMatchObject({ ok: false, error: { status: 400, code: 'PGRST100', details } });
      expect(!result.ok && result.error.message).toMatch(/^"failed to parse logic tree \(.*\)" \(line 1, column \d+\)$/);
    }
  });

  it(`IN1 refuses a tree deeper than ${MAX_LOGIC_DEPTH} levels or with more than ${MAX_LOGIC_CONDITIONS} conditions`, () => {
    const nested = (levels: number) => `${'or('.repeat(levels - 1)}a.eq.1${')'.repeat(levels - 1)}`;
    expect(parseLogicTree('or', `(${nested(MAX_LOGIC_DEPTH)})`)).toMatchObject({ ok: true });
    expect(parseLogicTree('or', `(${nested(MAX_LOGIC_DEPTH + 1)})`)).toMatchObject({
      ok: false,
      error: { code: 'PGRST100', details: `Logic trees nest at most ${MAX_LOGIC_DEPTH} levels deep.` },
    });
    const flat = (count: number) => `(${Array.from({ length: count }, (_, index) => `a.eq.${index}`).join(',')})`;
    expect(parseLogicTree('and', flat(MAX_LOGIC_CONDITIONS))).toMatchObject({ ok: true });
    expect(parseLogicTree('and', flat(MAX_LOGIC_CONDITIONS + 1))).toMatchObject({
      ok: false,
      error: { code: 'PGRST100', details: `A logic tree takes at most ${MAX_LOGIC_CONDITIONS} conditions.` },
    });
  });

  it('reads back any tree written with quoted values (seeded property)', () => {
    const value = fc.string({ maxLength: 8, unit: fc.constantFrom('a', 'B', ' ', ',', '(', ')', '"', '\\', '.', '*', '%', 'é') });
    const quote = (text: string) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    const leaf = fc.record({ column: fc.constantFrom('name', 'company'), isNegated: fc.boolean(), operator: fc.constantFrom('eq' as const, 'ilike' as const, 'gte' as const), value });
    const { node } = fc.letrec<{ node: Condition }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf.map((filter): Condition => ({ kind: 'compare', ...filter })),
        fc.record({ operator: fc.constantFrom('and' as const, 'or' as const), isNegated: fc.boolean(), conditions: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }).map((logic): Condition => ({ kind: 'logic', ...logic })),
      ),
    }));
    const write = (condition: Condition): string => {
      switch (condition.kind) {
        case 'logic':
          return `${condition.isNegated ? 'not.' : ''}${condition.operator}(${condition.conditions.map(write).join(',')})`;
        case 'compare':
          return `${condition.column}.${condition.isNegated ? 'not.' : ''}${condition.operator}.${quote(condition.value)}`;
        case 'in':
        case 'is':
          throw new Error('not generated');
      }
    };
    fc.assert(
      fc.property(fc.constantFrom('and' as const, 'or' as const), fc.boolean(), fc.array(node, { minLength: 1, maxLength: 4 }), (operator, isNegated, conditions) => {
        const written = `(${conditions.map(write).join(',')})`;
        const result = parseLogicTree(`${isNegated ? 'not.' : ''}${operator}`, written);
        const depth = (condition: Condition): number => (condition.kind === 'logic' ? 1 + Math.max(...condition.conditions.map(depth)) : 0);
        if (1 + Math.max(...conditions.map(depth)) > MAX_LOGIC_DEPTH) return;
        expect(result, written).toEqual({ ok: true, value: tree(operator, conditions, isNegated) });
      }),
      { seed: 20261130, numRuns: 500 },
    );
  });
});

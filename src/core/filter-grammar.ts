/**
 * The grammar of a PostgREST filter value, `[not.]operator.value`, read the same way by REST
 * (`?company=in.("Acme, Inc",Initech)`) and by realtime (`filter: 'company=in.(...)'`), so a
 * filter means one thing on both surfaces. Pure: what a value means for its column's type is
 * decided later (the database for REST, src/core/postgres-value.ts for realtime).
 */

export const COMPARE_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike'] as const;
export type CompareOperator = (typeof COMPARE_OPERATORS)[number];
export const FILTER_OPERATORS = [...COMPARE_OPERATORS, 'in', 'is'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];
export const IS_VALUES = ['null', 'not_null', 'true', 'false', 'unknown'] as const;
export type IsValue = (typeof IS_VALUES)[number];

export type FilterExpression =
  | { readonly kind: 'compare'; readonly isNegated: boolean; readonly operator: CompareOperator; readonly value: string }
  | { readonly kind: 'in'; readonly isNegated: boolean; readonly values: readonly string[] }
  | { readonly kind: 'is'; readonly isNegated: boolean; readonly value: IsValue };

export type GrammarResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * `eq.42`, `not.is.null`, `in.(1,2)`. The value of a comparison is the whole rest of the text,
 * dots included (`eq.a.b@example.com`); `is` takes null, not_null, true, false or unknown in
 * any case, as PostgREST does.
 */
export function parseFilterExpression(text: string): GrammarResult<FilterExpression> {
  const isNegated = text.startsWith('not.');
  const rest = isNegated ? text.slice('not.'.length) : text;
  const dot = rest.indexOf('.');
  if (dot < 0) return { ok: false, reason: 'expected operator.value, such as eq.42 or is.null' };
  const operator = rest.slice(0, dot);
  const value = rest.slice(dot + 1);
  if (operator === 'in') {
    const values = parseInList(value);
    if (values === undefined) return { ok: false, reason: 'expected a list in parentheses, such as in.(1,2,3); double-quote values that contain , ( or )' };
    return { ok: true, value: { kind: 'in', isNegated, values } };
  }
  if (operator === 'is') {
    const isValue = IS_VALUES.find((candidate) => candidate === value.toLowerCase());
    if (isValue === undefined) return { ok: false, reason: `is takes ${IS_VALUES.join(', ')}` };
    return { ok: true, value: { kind: 'is', isNegated, value: isValue } };
  }
  const compare = COMPARE_OPERATORS.find((candidate) => candidate === operator);
  if (compare === undefined) return { ok: false, reason: `unknown operator "${operator}"; use one of ${FILTER_OPERATORS.join(', ')}` };
  return { ok: true, value: { kind: 'compare', isNegated, operator: compare, value } };
}

const isBlank = (char: string | undefined) => char === ' ' || char === '\t';

/**
 * PostgREST's `in` list: `(a,b,"c,d","e\"f")`. Spaces and tabs around the parentheses are
 * skipped; an element is either double-quoted (a backslash takes the next character as it is,
 * and the closing quote must be followed by `,` or `)`), or the run of characters up to the
 * next `,` or `)`, kept as written, spaces and quotes included. `null` is the text "null", not
 * SQL NULL (filter NULLs with `is.null`). An empty list, `()` or `("")`, matches no row, as
 * PostgREST's `= any('{}')`. Unlike PostgREST, text after the closing parenthesis is refused
 * rather than ignored.
 */
export function parseInList(text: string): string[] | undefined {
  let index = 0;
  const skipBlanks = () => {
    while (isBlank(text[index])) index++;
  };
  skipBlanks();
  if (text[index] !== '(') return undefined;
  index++;
  skipBlanks();
  const values: string[] = [];
  for (;;) {
    const quoted = readQuoted(text, index);
    if (quoted) {
      values.push(quoted.value);
      index = quoted.end;
    } else {
      let value = '';
      while (index < text.length && text[index] !== ',' && text[index] !== ')') value += text[index++];
      values.push(value);
    }
    if (text[index] !== ',') break;
    index++;
  }
  if (text[index] !== ')') return undefined;
  index++;
  skipBlanks();
  if (index !== text.length) return undefined;
  return values.length === 1 && values[0] === '' ? [] : values;
}

/** A double-quoted element starting at `start`, if there is one followed by `,`, `)` or the end. */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  if (text[start] !== '"') return undefined;
  let index = start + 1;
  let value = '';
  for (;;) {
    const char = text[index];
    if (char === undefined) return undefined;
    if (char === '"') break;
    if (char === '\\') {
      const escaped = text[index + 1];
      if (escaped === undefined) return undefined;
      value += escaped;
      index += 2;
      continue;
    }
    value += char;
    index++;
  }
  const next = text[index + 1];
  if (next !== undefined && next !== ',' && next !== ')') return undefined;
  return { value, end: index + 1 };
}

import { parsed, refused, restErrors, type Parsed } from './rest-error.js';

/** The grammar of PostgREST's query parameters: filters, `in` lists, `select` and `order`. */

export const COMPARE_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike'] as const;
export type CompareOperator = (typeof COMPARE_OPERATORS)[number];
export const IS_VALUES = ['null', 'not_null', 'true', 'false', 'unknown'] as const;
export type IsValue = (typeof IS_VALUES)[number];

export type Filter =
  | { readonly kind: 'compare'; readonly column: string; readonly isNegated: boolean; readonly operator: CompareOperator; readonly value: string }
  | { readonly kind: 'in'; readonly column: string; readonly isNegated: boolean; readonly values: readonly string[] }
  | { readonly kind: 'is'; readonly column: string; readonly isNegated: boolean; readonly value: IsValue };

export type SelectItem = { readonly kind: 'all' } | { readonly kind: 'column'; readonly column: string; readonly alias: string | undefined };

export interface OrderTerm {
  readonly column: string;
  readonly direction: 'asc' | 'desc';
  readonly nulls: 'first' | 'last' | undefined;
}

/** `column=[not.]operator.value`, e.g. `user_email=eq.a@b.c`, `id=in.(1,2)`, `lead_id=is.null`. */
export function parseFilter(column: string, text: string): Parsed<Filter> {
  const isNegated = text.startsWith('not.');
  const rest = isNegated ? text.slice('not.'.length) : text;
  const dot = rest.indexOf('.');
  const operator = dot < 0 ? rest : rest.slice(0, dot);
  const value = rest.slice(dot + 1);
  const failure = (details: string) => refused<Filter>(restErrors.parse(`failed to parse filter (${text})`, details));
  if (dot < 0) return failure('Expected operator.value, such as eq.42 or is.null.');
  if (operator === 'in') {
    const values = parseList(value);
    if (values === undefined) return failure('Expected a list in parentheses, such as in.(1,2,3); quote values that contain , ( or ).');
    return parsed({ kind: 'in', column, isNegated, values });
  }
  if (operator === 'is') {
    const isValue = IS_VALUES.find((candidate) => candidate === value.toLowerCase());
    if (isValue === undefined) return failure('is takes null, not_null, true, false or unknown.');
    return parsed({ kind: 'is', column, isNegated, value: isValue });
  }
  const compare = COMPARE_OPERATORS.find((candidate) => candidate === operator);
  if (compare === undefined) return failure(`Unknown or unsupported operator "${operator}"; use one of ${[...COMPARE_OPERATORS, 'in', 'is'].join(', ')}.`);
  return parsed({ kind: 'compare', column, isNegated, operator: compare, value });
}

/** `(a,b,"c,d","e\"f")`: PostgREST's list, where a double-quoted element may hold , ( ) and backslash escapes. */
export function parseList(text: string): string[] | undefined {
  if (!text.startsWith('(') || !text.endsWith(')')) return undefined;
  const inner = text.slice(1, -1);
  if (inner === '') return [];
  const values: string[] = [];
  let index = 0;
  for (;;) {
    let value = '';
    if (inner[index] === '"') {
      index++;
      while (index < inner.length && inner[index] !== '"') {
        if (inner[index] === '\\') index++;
        value += inner[index] ?? '';
        index++;
      }
      if (index >= inner.length) return undefined;
      index++;
      if (index < inner.length && inner[index] !== ',') return undefined;
    } else {
      while (index < inner.length && inner[index] !== ',') {
        if (inner[index] === '(' || inner[index] === ')') return undefined;
        value += inner[index];
        index++;
      }
    }
    values.push(value);
    if (index >= inner.length) return values;
    index++; // the comma
  }
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `*`, `id,name`, `label:name`, `"quoted name"`; embedded resources, casts and JSON paths are not supported. */
export function parseSelect(text: string): Parsed<SelectItem[]> {
  if (text === '') return parsed([]);
  const failure = (details: string) => refused<SelectItem[]>(restErrors.parse(`failed to parse select parameter (${text})`, details));
  if (/[()]/.test(text)) return failure('Embedded resources are not supported by this server; select from each table on its own.');
  const items: SelectItem[] = [];
  for (const part of text.split(',')) {
    if (part === '*') {
      items.push({ kind: 'all' });
      continue;
    }
    if (part.includes('::')) return failure('Casts are not supported by this server.');
    if (part.includes('->')) return failure('JSON paths are not supported by this server.');
    const colon = part.indexOf(':');
    const alias = colon < 0 ? undefined : part.slice(0, colon);
    const column = unquote(colon < 0 ? part : part.slice(colon + 1));
    if (alias !== undefined && !ALIAS.test(alias)) return failure(`The alias "${alias}" must be letters, digits and underscores.`);
    if (column === undefined || column === '') return failure('Expected a column name between the commas.');
    items.push({ kind: 'column', column, alias });
  }
  return parsed(items);
}

export function unquote(name: string): string | undefined {
  if (!name.startsWith('"')) return name;
  if (name.length < 2 || !name.endsWith('"')) return undefined;
  return name.slice(1, -1);
}

/** `order=started_at.desc.nullslast,id` */
export function parseOrder(text: string): Parsed<OrderTerm[]> {
  const terms: OrderTerm[] = [];
  for (const part of text.split(',')) {
    const [column = '', ...modifiers] = part.split('.');
    let direction: OrderTerm['direction'] = 'asc';
    let nulls: OrderTerm['nulls'];
    let position = 0;
    if (modifiers[position] === 'asc' || modifiers[position] === 'desc') direction = modifiers[position++] as OrderTerm['direction'];
    if (modifiers[position] === 'nullsfirst' || modifiers[position] === 'nullslast') nulls = modifiers[position++] === 'nullsfirst' ? 'first' : 'last';
    if (column === '' || position !== modifiers.length) {
      return refused(restErrors.parse(`failed to parse order (${text})`, 'Expected column[.asc|.desc][.nullsfirst|.nullslast], separated by commas.'));
    }
    terms.push({ column, direction, nulls });
  }
  return parsed(terms);
}

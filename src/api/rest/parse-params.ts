import { parseFilterExpression, parseInList, type CompareOperator, type IsValue } from '../../core/filter-grammar.js';
import { parsed, refused, restErrors, type Parsed } from './rest-error.js';

/**
 * The grammar of PostgREST's query parameters: filters, `select` and `order`. A filter's
 * `[not.]operator.value` is read by the grammar realtime shares (src/core/filter-grammar.ts).
 */

export { COMPARE_OPERATORS, IS_VALUES, type CompareOperator, type IsValue } from '../../core/filter-grammar.js';

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
  const expression = parseFilterExpression(text);
  if (!expression.ok) return refused(restErrors.parse(`failed to parse filter (${text})`, `${capitalize(expression.reason)}.`));
  return parsed({ ...expression.value, column });
}

/** `(a,b,"c,d","e\"f")`: PostgREST's list (see parseInList). */
export function parseList(text: string): string[] | undefined {
  return parseInList(text);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
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

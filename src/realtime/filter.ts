import { parseFilterExpression, type IsValue } from '../core/filter-grammar.js';
import { compareValues, isFilterableType, readFilterValue, readStoredValue, type FilterableType, type PostgresValue } from '../core/postgres-value.js';

/**
 * Filters of `postgres_changes` subscriptions, as Supabase Realtime takes them: `column=op.value`
 * with eq, neq, lt, lte, gt, gte, in.(a,b,c) and is (null, not_null, true, false, unknown; is.null
 * is not in Supabase's list, the PhoneDialer needs it). The value after the operator is read by
 * the grammar REST uses (src/core/filter-grammar.ts), then as the column's type, so a filter keeps
 * exactly the rows a REST select with the same filter returns.
 */
export const REALTIME_OPERATORS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'is'] as const;
type CompareOperator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

export type RowFilter =
  | { readonly kind: 'compare'; readonly column: string; readonly type: FilterableType; readonly op: CompareOperator; readonly value: PostgresValue }
  | { readonly kind: 'in'; readonly column: string; readonly type: FilterableType; readonly values: readonly PostgresValue[] }
  | { readonly kind: 'is'; readonly column: string; readonly value: IsValue };

/** Column name → Postgres type name (udt_name), used to compare values as the database would. */
export type ColumnTypes = ReadonlyMap<string, string>;

/**
 * A refused filter is `invalid` when REST would refuse it too (a bad value for the column's type,
 * an unknown column, bad grammar), `unsupported` when REST takes it but realtime does not.
 */
export type FilterParse = { ok: true; filter: RowFilter | undefined } | { ok: false; reason: string; fault: 'invalid' | 'unsupported' };

/** As Supabase Realtime, which refuses longer lists. */
const MAX_IN_VALUES = 100;
const FILTER = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

export function parseRowFilter(text: string | undefined, columns: ColumnTypes): FilterParse {
  if (text === undefined || text === '') return { ok: true, filter: undefined };
  const refuse = (reason: string, fault: 'invalid' | 'unsupported' = 'invalid'): FilterParse => ({ ok: false, reason: `invalid filter "${text}": ${reason}`, fault });
  const match = FILTER.exec(text);
  if (!match) return refuse(`use column=operator.value with one of ${REALTIME_OPERATORS.join(', ')}`);
  const [, column = '', expressionText = ''] = match;
  const type = columns.get(column);
  if (type === undefined) return refuse(`there is no column "${column}"`);
  const expression = parseFilterExpression(expressionText);
  if (!expression.ok) return refuse(expression.reason);
  const { value: parsed } = expression;
  if (parsed.isNegated) return refuse('realtime filters do not take not.; subscribe with the opposite operator', 'unsupported');

  if (parsed.kind === 'is') {
    // As Postgres: `x is true` needs a boolean x (42804 through REST).
    if (parsed.value !== 'null' && parsed.value !== 'not_null' && type !== 'bool') return refuse(`is.${parsed.value} needs a boolean column; ${column} is ${type}`);
    return { ok: true, filter: { kind: 'is', column, value: parsed.value } };
  }
  if (!isFilterableType(type)) return refuse(`realtime cannot compare values of ${column}'s type (${type}); filter on is.null or on the client`, 'unsupported');
  const read = (valueText: string) => readFilterValue(type, valueText);
  if (parsed.kind === 'in') {
    if (parsed.values.length > MAX_IN_VALUES) return refuse(`in takes at most ${MAX_IN_VALUES} values`, 'unsupported');
    const values: PostgresValue[] = [];
    for (const valueText of parsed.values) {
      const value = read(valueText);
      if (!value.ok) return refuse(value.reason, value.isUnsupported ? 'unsupported' : 'invalid');
      values.push(value.value);
    }
    return { ok: true, filter: { kind: 'in', column, type, values } };
  }
  const op = parsed.operator;
  if (op === 'like' || op === 'ilike') return refuse(`realtime filters do not take ${op}; use one of ${REALTIME_OPERATORS.join(', ')}`, 'unsupported');
  const value = read(parsed.value);
  if (!value.ok) return refuse(value.reason, value.isUnsupported ? 'unsupported' : 'invalid');
  return { ok: true, filter: { kind: 'compare', column, type, op, value: value.value } };
}

/** Whether a row passes a filter, with SQL's rule that a comparison with null is never true. */
export function matchesFilter(filter: RowFilter | undefined, row: Readonly<Record<string, unknown>>): boolean {
  if (!filter) return true;
  const stored = row[filter.column];
  switch (filter.kind) {
    case 'is':
      return matchesIs(filter.value, stored);
    case 'in': {
      const value = readStoredValue(filter.type, stored);
      return value !== undefined && filter.values.some((candidate) => compareValues(value, candidate) === 0);
    }
    case 'compare': {
      const value = readStoredValue(filter.type, stored);
      if (value === undefined) return false;
      const order = compareValues(value, filter.value);
      switch (filter.op) {
        case 'eq':
          return order === 0;
        case 'neq':
          return order !== 0;
        case 'lt':
          return order < 0;
        case 'lte':
          return order <= 0;
        case 'gt':
          return order > 0;
        case 'gte':
          return order >= 0;
        default: {
          const unreachable: never = filter.op;
          throw new Error(`unknown operator ${String(unreachable)}`);
        }
      }
    }
    default: {
      const unreachable: never = filter;
      throw new Error(`unknown filter ${JSON.stringify(unreachable)}`);
    }
  }
}

function matchesIs(value: IsValue, stored: unknown): boolean {
  switch (value) {
    case 'null':
    case 'unknown':
      return stored === null || stored === undefined;
    case 'not_null':
      return stored !== null && stored !== undefined;
    case 'true':
      return stored === true;
    case 'false':
      return stored === false;
    default: {
      const unreachable: never = value;
      throw new Error(`unknown is value ${String(unreachable)}`);
    }
  }
}

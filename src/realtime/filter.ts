/**
 * Filters of `postgres_changes` subscriptions, as Supabase Realtime reads them:
 * `column=op.value` with eq, neq, lt, lte, gt, gte and in.(a,b,c), plus `is.null` (and
 * `is.true`/`is.false`), which Supabase lacks and the PhoneDialer needs (`lead_id=is.null`).
 */
export const FILTER_OPERATORS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'is'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type RowFilter =
  | { readonly kind: 'compare'; readonly column: string; readonly op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte'; readonly value: string }
  | { readonly kind: 'in'; readonly column: string; readonly values: readonly string[] }
  | { readonly kind: 'is'; readonly column: string; readonly value: null | boolean };

/** Column name → Postgres type name (udt_name), used to compare values as the database would. */
export type ColumnTypes = ReadonlyMap<string, string>;

export type FilterParse = { ok: true; filter: RowFilter | undefined } | { ok: false; reason: string };

const MAX_IN_VALUES = 100;

export function parseRowFilter(text: string | undefined, columns: ColumnTypes): FilterParse {
  if (text === undefined || text === '') return { ok: true, filter: undefined };
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(eq|neq|lt|lte|gt|gte|in|is)\.(.*)$/s.exec(text);
  if (!match) return { ok: false, reason: `invalid filter "${text}": use column=operator.value with one of ${FILTER_OPERATORS.join(', ')}` };
  const [, column = '', op = '', value = ''] = match;
  if (!columns.has(column)) return { ok: false, reason: `invalid filter "${text}": there is no column "${column}"` };
  switch (op) {
    case 'in': {
      const list = /^\((.*)\)$/s.exec(value);
      if (!list) return { ok: false, reason: `invalid filter "${text}": in takes a list, e.g. ${column}=in.(a,b)` };
      const values = (list[1] ?? '').split(',').map((v) => v.trim().replace(/^"(.*)"$/s, '$1'));
      if (values.length > MAX_IN_VALUES) return { ok: false, reason: `invalid filter "${text}": in takes at most ${MAX_IN_VALUES} values` };
      return { ok: true, filter: { kind: 'in', column, values } };
    }
    case 'is': {
      const known: Record<string, null | boolean> = { null: null, true: true, false: false };
      if (!Object.hasOwn(known, value)) return { ok: false, reason: `invalid filter "${text}": is takes null, true or false` };
      return { ok: true, filter: { kind: 'is', column, value: known[value] ?? null } };
    }
    case 'eq':
    case 'neq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { ok: true, filter: { kind: 'compare', column, op, value } };
    default:
      return { ok: false, reason: `invalid filter "${text}"` };
  }
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);
const TIME_TYPES = new Set(['timestamptz', 'timestamp', 'date']);

/** -1, 0 or 1 comparing a row value with a filter value by the column's type; undefined if incomparable. */
function compareValues(rowValue: unknown, filterValue: string, type: string | undefined): number | undefined {
  if (rowValue === null || rowValue === undefined) return undefined;
  if (type && NUMERIC_TYPES.has(type)) {
    const a = Number(rowValue);
    const b = Number(filterValue);
    return Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.sign(a - b);
  }
  if (type && TIME_TYPES.has(type)) {
    const a = Date.parse(String(rowValue));
    const b = Date.parse(filterValue);
    return Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.sign(a - b);
  }
  const a = typeof rowValue === 'object' ? JSON.stringify(rowValue) : String(rowValue);
  return a === filterValue ? 0 : a < filterValue ? -1 : 1;
}

/** Whether a row passes a filter, with SQL's rule that a comparison with null is never true. */
export function matchesFilter(filter: RowFilter | undefined, row: Readonly<Record<string, unknown>>, columns: ColumnTypes): boolean {
  if (!filter) return true;
  const value = row[filter.column];
  const type = columns.get(filter.column);
  switch (filter.kind) {
    case 'is':
      return filter.value === null ? value === null || value === undefined : value === filter.value;
    case 'in':
      return filter.values.some((candidate) => compareValues(value, candidate, type) === 0);
    case 'compare': {
      const order = compareValues(value, filter.value, type);
      if (order === undefined) return false;
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

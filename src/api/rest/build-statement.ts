import type { Condition } from './parse-logic-tree.js';
import type { CompareOperator, Filter, OrderTerm, SelectItem } from './parse-params.js';
import type { Output, RestQuery, Returning } from './parse-request.js';
import { parsed, refused, restErrors, type Parsed } from './rest-error.js';
import type { TableInfo } from './table-catalog.js';

/**
 * One SQL statement for one REST request, answering one row: `total` (the count, when asked),
 * `page_total` (rows in this response) and `body` (the JSON Postgres built, as PostgREST has
 * it build, so dates and numbers look the same on both backends).
 *
 * Column names are checked against the table and quoted; every value is a `$n` parameter sent
 * as text and cast to its column's type by Postgres, so a value never becomes SQL and both
 * drivers pass it the same way.
 */
export interface Statement {
  readonly text: string;
  readonly params: readonly (string | null)[];
}

export interface StatementResult {
  readonly total: number | null;
  readonly page_total: number;
  readonly body: string | null;
}

const SQL_OPERATORS: Readonly<Record<CompareOperator, string>> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'like', ilike: 'ilike' };

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function buildStatement(query: RestQuery, table: TableInfo): Parsed<Statement> {
  const params: (string | null)[] = [];
  const bind = (value: string | null) => {
    params.push(value);
    return `$${params.length}::text`;
  };
  const columnType = (column: string) => table.columns.get(column);
  const unknownColumn = (column: string) => refused<Statement>(restErrors.unknownColumn(table.name, column));
  const source = `public.${quoteIdentifier(table.name)}`;

  /** A value for a column: text cast to the column's type. */
  const bindFor = (column: string, value: string | null) => `${bind(value)}::${columnType(column) ?? 'text'}`;

  const filterSql = (filter: Filter): string => {
    const column = quoteIdentifier(filter.column);
    let condition: string;
    switch (filter.kind) {
      case 'compare':
        // PostgREST's `*` is LIKE's `%`; nothing else is rewritten, so `%`, `_` and `\` keep
        // their LIKE meaning, as in PostgREST.
        condition = isPattern(filter.operator)
          ? `${column} ${SQL_OPERATORS[filter.operator]} ${bind(filter.value.replaceAll('*', '%'))}`
          : `${column} ${SQL_OPERATORS[filter.operator]} ${bindFor(filter.column, filter.value)}`;
        break;
      case 'in':
        condition = filter.values.length === 0 ? 'false' : `${column} in (${filter.values.map((value) => bindFor(filter.column, value)).join(', ')})`;
        break;
      case 'is':
        condition = `${column} is ${filter.value === 'not_null' ? 'not null' : filter.value}`;
        break;
      default:
        return assertNever(filter);
    }
    return filter.isNegated ? `not (${condition})` : condition;
  };

  const conditionSql = (condition: Condition): string => {
    if (condition.kind !== 'logic') return filterSql(condition);
    const tree = `(${condition.conditions.map(conditionSql).join(` ${condition.operator} `)})`;
    return condition.isNegated ? `not ${tree}` : tree;
  };

  const whereSql = (filters: readonly Condition[]) => (filters.length === 0 ? '' : ` where ${filters.map(conditionSql).join(' and ')}`);
  const leafFilters = query.kind === 'insert' ? [] : query.filters.flatMap(flattenCondition);
  const namedColumns = (query: RestQuery): string[] => {
    const shown = query.kind === 'read' ? { select: query.select, order: query.order } : query.returning.kind === 'representation' ? query.returning : { select: [], order: [] };
    return [
      ...shown.select.flatMap((item) => (item.kind === 'column' ? [item.column] : [])),
      ...shown.order.map((term) => term.column),
      ...leafFilters.map((filter) => filter.column),
      ...(query.kind === 'insert' ? (query.conflict?.columns ?? []) : []),
    ];
  };
  const missing = namedColumns(query).find((column) => columnType(column) === undefined);
  if (missing !== undefined) return unknownColumn(missing);
  // As Postgres answers PostgREST's `column LIKE unknown` on a column that is not text.
  for (const filter of leafFilters) {
    if (filter.kind !== 'compare' || !isPattern(filter.operator)) continue;
    const type = columnType(filter.column) ?? 'text';
    if (!isTextType(type)) return refused(restErrors.operatorDoesNotExist(`${type} ${filter.operator === 'like' ? '~~' : '~~*'} unknown`));
  }

  switch (query.kind) {
    case 'read': {
      const where = whereSql(query.filters);
      const total = query.output.isCounted ? `(select count(*) from ${source}${where})::int` : 'null::int';
      const limit = query.limit === undefined ? '' : ` limit ${bind(String(query.limit))}::bigint`;
      const offset = query.offset === 0 ? '' : ` offset ${bind(String(query.offset))}::bigint`;
      const rows = `select ${selectSql(query.select)} from ${source}${where}${orderSql(query.order)}${limit}${offset}`;
      return parsed({ text: `select ${total} as total, count(*)::int as page_total, ${bodySql(query.output)} as body from (${rows}) _t`, params });
    }
    case 'insert': {
      const unknown = query.columns.find((column) => columnType(column) === undefined);
      if (unknown !== undefined) return refused(restErrors.columnNotInPayload(table.name, unknown));
      let mutation: string;
      if (query.rows.length === 0) {
        mutation = `select * from ${source} where false`;
      } else if (query.columns.length === 0) {
        mutation = `insert into ${source} values ${query.rows.map(() => '(default)').join(', ')}`;
      } else {
        const values = query.rows.map((row) => {
          const cells = query.columns.map((column) =>
            Object.hasOwn(row, column) ? bindFor(column, toText(row[column], columnType(column))) : query.missing === 'default' ? 'default' : 'null',
          );
          return `(${cells.join(', ')})`;
        });
        mutation = `insert into ${source} (${query.columns.map(quoteIdentifier).join(', ')}) values ${values.join(', ')}`;
        if (query.conflict) {
          const target = query.conflict.columns ?? table.primaryKey;
          const updates = query.columns.map((column) => `${quoteIdentifier(column)} = excluded.${quoteIdentifier(column)}`);
          const action = query.conflict.action === 'merge' && updates.length > 0 ? `do update set ${updates.join(', ')}` : 'do nothing';
          mutation += ` on conflict (${target.map(quoteIdentifier).join(', ')}) ${action}`;
        }
      }
      return parsed(mutationStatement(mutation, query.rows.length > 0, query.output, query.returning, params));
    }
    case 'update': {
      const columns = Object.keys(query.patch);
      const unknown = columns.find((column) => columnType(column) === undefined);
      if (unknown !== undefined) return refused(restErrors.columnNotInPayload(table.name, unknown));
      if (query.filters.length === 0) return refused(restErrors.whereRequired('UPDATE'));
      if (columns.length === 0) {
        return parsed(mutationStatement(`select * from ${source} where false`, false, query.output, query.returning, params));
      }
      const assignments = columns.map((column) => `${quoteIdentifier(column)} = ${bindFor(column, toText(query.patch[column], columnType(column)))}`);
      const mutation = `update ${source} set ${assignments.join(', ')}${whereSql(query.filters)}`;
      return parsed(mutationStatement(mutation, true, query.output, query.returning, params));
    }
    case 'delete': {
      if (query.filters.length === 0) return refused(restErrors.whereRequired('DELETE'));
      return parsed(mutationStatement(`delete from ${source}${whereSql(query.filters)}`, true, query.output, query.returning, params));
    }
    default:
      return assertNever(query);
  }
}

/** Wraps an insert, update or delete so it answers like a read of the rows it changed. */
function mutationStatement(
  mutation: string,
  isChange: boolean,
  output: Output,
  returning: Returning,
  params: readonly (string | null)[],
): Statement {
  const isRepresented = returning.kind === 'representation';
  const changed = isChange ? `${mutation} returning ${isRepresented ? '*' : '1'}` : mutation;
  const rows = isRepresented ? `select ${selectSql(returning.select)} from _source${orderSql(returning.order)}` : 'select from _source';
  const total = output.isCounted ? 'count(*)::int' : 'null::int';
  const body = isRepresented ? bodySql(output) : 'null::text';
  return { text: `with _source as (${changed}) select ${total} as total, count(*)::int as page_total, ${body} as body from (${rows}) _t`, params };
}

function orderSql(order: readonly OrderTerm[]): string {
  if (order.length === 0) return '';
  return ` order by ${order.map((term) => `${quoteIdentifier(term.column)} ${term.direction}${term.nulls ? ` nulls ${term.nulls}` : ''}`).join(', ')}`;
}

function selectSql(items: readonly SelectItem[]): string {
  return items
    .map((item) => (item.kind === 'all' ? '*' : `${quoteIdentifier(item.column)}${item.alias === undefined ? '' : ` as ${quoteIdentifier(item.alias)}`}`))
    .join(', ');
}

function bodySql(output: Output): string {
  const rows = output.isNullsStripped ? 'json_strip_nulls(json_agg(_t))' : 'json_agg(_t)';
  return output.isSingle ? `(${rows} -> 0)::text` : `coalesce(${rows}, '[]')::text`;
}

function flattenCondition(condition: Condition): Filter[] {
  return condition.kind === 'logic' ? condition.conditions.flatMap(flattenCondition) : [condition];
}

/** Types with a LIKE operator for text, as format_type spells them. */
function isTextType(type: string): boolean {
  return type === 'text' || type === 'citext' || type === 'name' || /^(character varying|character|varchar|bpchar)(\(\d+\))?$/.test(type);
}

function isPattern(operator: CompareOperator): boolean {
  return operator === 'like' || operator === 'ilike';
}

/**
 * A JSON body value as the text Postgres reads for its column: JSON columns get JSON, others
 * the value's text (so `true` or `3` reach a boolean or integer column as Postgres expects).
 */
export function toText(value: unknown, type: string | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'jsonb' || type === 'json') return JSON.stringify(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

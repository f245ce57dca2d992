import { isLogicKey, parseLogicTree, type Condition } from './parse-logic-tree.js';
import { parseFilter, parseOrder, parseSelect, unquote, type OrderTerm, type SelectItem } from './parse-params.js';
import { parsed, refused, restErrors, type Parsed } from './rest-error.js';

/**
 * PostgREST's request grammar, the part supabase-js sends: a query string and a few headers
 * become a typed description of one read or write. Pure: names are checked against the table
 * later, when the statement is built.
 */

/** How rows come back: an array, or one object (`.single()`), optionally without null fields. */
export interface Output {
  readonly isSingle: boolean;
  readonly isNullsStripped: boolean;
  readonly isCounted: boolean;
}

export type Returning = { readonly kind: 'minimal' } | { readonly kind: 'representation'; readonly select: readonly SelectItem[]; readonly order: readonly OrderTerm[] };

export interface Conflict {
  readonly action: 'merge' | 'ignore';
  /** Undefined: the primary key. */
  readonly columns: readonly string[] | undefined;
}

export type RestQuery =
  | {
      readonly kind: 'read';
      readonly table: string;
      readonly output: Output;
      readonly select: readonly SelectItem[];
      readonly filters: readonly Condition[];
      readonly order: readonly OrderTerm[];
      readonly offset: number;
      readonly limit: number | undefined;
    }
  | {
      readonly kind: 'insert';
      readonly table: string;
      readonly output: Output;
      readonly columns: readonly string[];
      readonly rows: readonly Readonly<Record<string, unknown>>[];
      /** What a row without one of `columns` gets: NULL (PostgREST's default) or the column default. */
      readonly missing: 'null' | 'default';
      readonly conflict: Conflict | undefined;
      readonly returning: Returning;
    }
  | {
      readonly kind: 'update';
      readonly table: string;
      readonly output: Output;
      readonly patch: Readonly<Record<string, unknown>>;
      readonly filters: readonly Condition[];
      readonly returning: Returning;
    }
  | { readonly kind: 'delete'; readonly table: string; readonly output: Output; readonly filters: readonly Condition[]; readonly returning: Returning };

export type RequestBody = { readonly kind: 'none' } | { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'invalid' };

export interface RestRequest {
  readonly method: string;
  readonly table: string;
  /** The query string in order, decoded. */
  readonly params: readonly (readonly [string, string])[];
  readonly headers: { get(name: string): string | null };
  readonly body: RequestBody;
}

/** Query parameters that are not filters. `apikey` is read by the gateway. */
const RESERVED_PARAMS = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict', 'apikey']);

export function parseRestRequest(request: RestRequest): Parsed<RestQuery> {
  const { method, table, headers } = request;
  const isRead = method === 'GET' || method === 'HEAD';
  const profile = headers.get(isRead ? 'accept-profile' : 'content-profile');
  if (profile !== null && profile !== 'public') return refused(restErrors.schemaNotExposed(profile));

  const prefer = parsePrefer(headers.get('prefer'));
  const media = parseAccept(headers.get('accept'));
  if (!media.ok) return media;
  const output: Output = { isSingle: media.value.isSingle, isNullsStripped: media.value.isNullsStripped, isCounted: prefer.count !== undefined };

  const params = parseParams(request.params);
  if (!params.ok) return params;
  const { select, order, filters, offset, limit } = params.value;

  const returning: Returning = prefer.return === 'representation' ? { kind: 'representation', select, order } : { kind: 'minimal' };
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const range = intersectRange(offset, limit, headers.get('range'));
      if (!range.ok) return range;
      return parsed({ kind: 'read', table, output, select, filters, order, ...range.value });
    }
    case 'POST': {
      if (request.body.kind === 'invalid') return refused(restErrors.invalidBody('The body is not valid JSON.'));
      if (offset !== undefined || limit !== undefined) return refused(restErrors.parse('limit and offset are not allowed when inserting', 'Remove limit, offset and range from the request.'));
      const rows = parseInsertBody(request.body, request.params);
      if (!rows.ok) return rows;
      const conflict = parseConflict(prefer.resolution, request.params);
      if (!conflict.ok) return conflict;
      return parsed({ kind: 'insert', table, output, ...rows.value, missing: prefer.missing, conflict: conflict.value, returning });
    }
    case 'PATCH': {
      if (offset !== undefined || limit !== undefined) return refused(restErrors.parse('limit and offset are not supported when updating', 'Filter the rows to update instead.'));
      const body = request.body;
      if (body.kind === 'invalid') return refused(restErrors.invalidBody('The body is not valid JSON.'));
      if (body.kind !== 'json' || !isPlainObject(body.value)) return refused(restErrors.invalidBody('The body of an update must be one JSON object.'));
      return parsed({ kind: 'update', table, output, patch: body.value, filters, returning });
    }
    case 'DELETE':
      if (offset !== undefined || limit !== undefined) return refused(restErrors.parse('limit and offset are not supported when deleting', 'Filter the rows to delete instead.'));
      return parsed({ kind: 'delete', table, output, filters, returning });
    default:
      return refused(restErrors.methodNotAllowed(method));
  }
}

interface Preferences {
  readonly return: 'minimal' | 'representation';
  readonly count: 'exact' | 'planned' | 'estimated' | undefined;
  readonly resolution: 'merge-duplicates' | 'ignore-duplicates' | undefined;
  readonly missing: 'null' | 'default';
}

/** `Prefer: return=representation, count=exact`; unknown preferences are ignored, as PostgREST does by default. */
export function parsePrefer(header: string | null): Preferences {
  const values = new Map<string, string>();
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name && value) values.set(name, value);
  }
  const count = values.get('count');
  const resolution = values.get('resolution');
  return {
    return: values.get('return') === 'representation' ? 'representation' : 'minimal',
    count: count === 'exact' || count === 'planned' || count === 'estimated' ? count : undefined,
    resolution: resolution === 'merge-duplicates' || resolution === 'ignore-duplicates' ? resolution : undefined,
    missing: values.get('missing') === 'default' ? 'default' : 'null',
  };
}

const ARRAY_MEDIA_TYPES = new Set(['application/json', 'application/vnd.pgrst.array+json', 'application/*', '*/*']);
const OBJECT_MEDIA_TYPE = 'application/vnd.pgrst.object+json';

/** The first media type of `Accept` we can produce: JSON rows, or one JSON object. */
export function parseAccept(header: string | null): Parsed<{ isSingle: boolean; isNullsStripped: boolean }> {
  if (header === null || header.trim() === '') return parsed({ isSingle: false, isNullsStripped: false });
  for (const range of header.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const isNullsStripped = parameters.includes('nulls=stripped');
    if (type === OBJECT_MEDIA_TYPE) return parsed({ isSingle: true, isNullsStripped });
    if (ARRAY_MEDIA_TYPES.has(type)) return parsed({ isSingle: false, isNullsStripped });
  }
  return refused(restErrors.mediaTypeNotAvailable(header));
}

interface Params {
  readonly select: readonly SelectItem[];
  readonly order: readonly OrderTerm[];
  readonly filters: readonly Condition[];
  readonly offset: number | undefined;
  readonly limit: number | undefined;
}

function parseParams(params: RestRequest['params']): Parsed<Params> {
  let select: readonly SelectItem[] = [{ kind: 'all' }];
  let order: readonly OrderTerm[] = [];
  let offset: number | undefined;
  let limit: number | undefined;
  const filters: Condition[] = [];
  for (const [key, value] of params) {
    switch (key) {
      case 'select': {
        const items = parseSelect(value);
        if (!items.ok) return items;
        select = items.value;
        break;
      }
      case 'order': {
        const terms = parseOrder(value);
        if (!terms.ok) return terms;
        order = terms.value;
        break;
      }
      case 'limit':
      case 'offset': {
        const count = parseCount(value);
        if (count === undefined) return refused(restErrors.parse(`failed to parse ${key} parameter (${value})`, 'Expected a whole number of 0 or more.'));
        if (key === 'limit') limit = count;
        else offset = count;
        break;
      }
      default: {
        if (RESERVED_PARAMS.has(key)) break;
        if (isLogicKey(key)) {
          const tree = parseLogicTree(key, value);
          if (!tree.ok) return tree;
          filters.push(tree.value);
          break;
        }
        // `calls.or=(...)`: a tree on an embedded resource, which this server does not embed.
        if (/\.(and|or)$/.test(key)) return refused(restErrors.parse(`failed to parse logic path (${key})`, 'Embedded resources are not supported by this server; filter each table on its own.'));
        const filter = parseFilter(key, value);
        if (!filter.ok) return filter;
        filters.push(filter.value);
      }
    }
  }
  return parsed({ select, order, filters, offset, limit });
}

function parseCount(text: string): number | undefined {
  if (!/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** The rows asked for by `offset`/`limit` and by a `Range: from-to` header, intersected as PostgREST does. */
export function intersectRange(offset: number | undefined, limit: number | undefined, rangeHeader: string | null): Parsed<{ offset: number; limit: number | undefined }> {
  const from = offset ?? 0;
  let to = limit === undefined ? undefined : from + limit - 1;
  let lower = from;
  if (rangeHeader !== null) {
    const match = /^(?:items=)?(\d{1,15})-(\d{0,15})$/.exec(rangeHeader.trim());
    if (match) {
      const headerFrom = Number(match[1]);
      const headerTo = match[2] === '' ? undefined : Number(match[2]);
      if (headerTo !== undefined && headerFrom > headerTo) {
        return refused(restErrors.rangeNotSatisfiable('The lower boundary must be lower than or equal to the upper boundary in the Range header.'));
      }
      lower = Math.max(lower, headerFrom);
      if (headerTo !== undefined) to = to === undefined ? headerTo : Math.min(to, headerTo);
    }
  }
  return parsed({ offset: lower, limit: to === undefined ? undefined : Math.max(0, to - lower + 1) });
}

function parseInsertBody(body: RequestBody, params: RestRequest['params']): Parsed<{ columns: string[]; rows: Readonly<Record<string, unknown>>[] }> {
  if (body.kind !== 'json') return refused(restErrors.invalidBody('The body of an insert must be a JSON object or an array of objects.'));
  const rows = Array.isArray(body.value) ? (body.value as unknown[]) : [body.value];
  if (!rows.every(isPlainObject)) return refused(restErrors.invalidBody('The body of an insert must be a JSON object or an array of objects.'));
  const columnsParam = params.find(([key]) => key === 'columns')?.[1];
  if (columnsParam !== undefined) {
    const columns = columnsParam.split(',').map(unquote);
    if (columns.some((column) => column === undefined || column === '')) {
      return refused(restErrors.parse(`failed to parse columns parameter (${columnsParam})`, 'Expected column names separated by commas.'));
    }
    return parsed({ columns: [...new Set(columns as string[])], rows });
  }
  const first = rows[0];
  const columns = first ? Object.keys(first) : [];
  const sameKeys = (row: Record<string, unknown>) => {
    const keys = Object.keys(row);
    return keys.length === columns.length && keys.every((key) => Object.hasOwn(first ?? {}, key));
  };
  if (!rows.every(sameKeys)) return refused(restErrors.keysDiffer());
  return parsed({ columns, rows });
}

function parseConflict(resolution: Preferences['resolution'], params: RestRequest['params']): Parsed<Conflict | undefined> {
  if (resolution === undefined) return parsed(undefined);
  const action = resolution === 'merge-duplicates' ? 'merge' : 'ignore';
  const onConflict = params.find(([key]) => key === 'on_conflict')?.[1];
  if (onConflict === undefined) return parsed({ action, columns: undefined });
  const columns = onConflict.split(',').map((column) => column.trim());
  if (columns.some((column) => column === '')) {
    return refused(restErrors.parse(`failed to parse on_conflict parameter (${onConflict})`, 'Expected column names separated by commas.'));
  }
  return parsed({ action, columns });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

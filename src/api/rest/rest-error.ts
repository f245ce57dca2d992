/**
 * PostgREST's error shape, `{ code, message, details, hint }`, with its HTTP status. supabase-js
 * hands the body to the app as `error`, so codes and statuses follow PostgREST's own.
 */
export interface RestError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details: string | null;
  readonly hint: string | null;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RestError };

export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function refused<T = never>(error: RestError): Parsed<T> {
  return { ok: false, error };
}

function restError(status: number, code: string, message: string, details: string | null = null, hint: string | null = null): RestError {
  return { status, code, message, details, hint };
}

export const restErrors = {
  parse: (message: string, details: string) => restError(400, 'PGRST100', message, details),
  invalidBody: (details: string) => restError(400, 'PGRST102', 'Empty or invalid json', details),
  keysDiffer: () => restError(400, 'PGRST102', 'All object keys must match', 'Every row of an insert must have the same keys, or name the columns.'),
  rangeNotSatisfiable: (details: string) => restError(416, 'PGRST103', 'Requested range not satisfiable', details),
  schemaNotExposed: (schema: string) => restError(406, 'PGRST106', 'The schema must be one of the following: public', `Requested schema: ${schema}`),
  mediaTypeNotAvailable: (accept: string) => restError(406, 'PGRST107', `None of these media types are available: ${accept}`),
  contentTypeNotAcceptable: (contentType: string) => restError(415, 'PGRST107', `None of these media types are available: ${contentType}`),
  singleRowExpected: (rows: number) =>
    restError(406, 'PGRST116', 'JSON object requested, multiple (or no) rows returned', `The result contains ${rows} rows`),
  methodNotAllowed: (method: string) => restError(405, 'PGRST117', `Unsupported HTTP method: ${method}`),
  columnNotInPayload: (table: string, column: string) =>
    restError(400, 'PGRST204', `Could not find the '${column}' column of '${table}' in the schema cache`),
  tableNotFound: (table: string) => restError(404, 'PGRST205', `Could not find the table 'public.${table}' in the schema cache`),
  invalidToken: (reason: string) => restError(401, 'PGRST301', reason),
  /** What Postgres says for an unknown column in a select, filter or order. */
  unknownColumn: (table: string, column: string) => restError(400, '42703', `column ${table}.${column} does not exist`),
  /** What Postgres says for `LIKE` on a column that is not text; PostgREST answers 42883 with 404. */
  operatorDoesNotExist: (operator: string) =>
    restError(404, '42883', `operator does not exist: ${operator}`, null, 'No operator matches the given name and argument types. You might need to add explicit type casts.'),
  /** As Supabase's safeupdate extension refuses an unfiltered change of a whole table. */
  whereRequired: (verb: 'UPDATE' | 'DELETE') => restError(400, '21000', `${verb} requires a WHERE clause`, null, 'Add a filter, such as .eq(column, value).'),
};

/** A Postgres error as PostgREST forwards it: the SQLSTATE is the code. */
export interface SqlError {
  readonly code: string;
  readonly message: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
}

/** Statuses by SQLSTATE class (the first two characters); every other error is the client's (400). */
const SQLSTATE_CLASS_STATUS: ReadonlyArray<readonly [string, number]> = [
  ['08', 503], ['09', 500], ['0L', 403], ['0P', 403], ['25', 500], ['28', 403], ['2D', 500], ['38', 500], ['39', 500],
  ['3B', 500], ['40', 500], ['53', 503], ['54', 500], ['55', 500], ['57', 500], ['58', 500], ['F0', 500], ['HV', 500],
  ['P0', 500], ['XX', 500],
];

/**
 * PostgREST's map from SQLSTATE to HTTP status. A missing privilege is 401 for the anonymous
 * role (sign in and it may work) and 403 for a signed-in one.
 */
export function httpStatusOfSqlState(code: string, isAuthenticated: boolean): number {
  if (code === '42501') return isAuthenticated ? 403 : 401;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '42883' || code === '42P01') return 404;
  if (code === 'P0001') return 400;
  const match = SQLSTATE_CLASS_STATUS.find(([prefix]) => code.startsWith(prefix));
  return match?.[1] ?? 400;
}

export function fromSqlError(error: SqlError, isAuthenticated: boolean): RestError {
  return restError(httpStatusOfSqlState(error.code, isAuthenticated), error.code, error.message, error.detail ?? null, error.hint ?? null);
}

export function restErrorResponse(error: RestError, headers?: Record<string, string>): Response {
  const { code, message, details, hint } = error;
  return Response.json({ code, details, hint, message }, { status: error.status, ...(headers ? { headers } : {}) });
}

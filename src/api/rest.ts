import { Hono } from 'hono';
import type { Database } from '../db/database.js';
import { readDatabaseError } from '../db/database-error.js';
import { readBearerToken, type Claims, type Role, type TokenService } from './jwt.js';
import { buildStatement, type StatementResult } from './rest/build-statement.js';
import { parseRestRequest, type RequestBody, type RestQuery } from './rest/parse-request.js';
import { fromSqlError, parsed, refused, restErrorResponse, restErrors, type Parsed } from './rest/rest-error.js';
import { createTableCatalogCache } from './rest/table-catalog.js';

export interface RestDeps {
  readonly db: Database;
  readonly tokens: TokenService;
}

/** Thrown inside the transaction so a change that `.single()` would not answer as one row is rolled back, as PostgREST does. */
class SingleRowViolation extends Error {
  constructor(readonly rows: number) {
    super(`expected one row, the change touched ${rows}`);
  }
}

/**
 * `/rest/v1/<table>`: the PostgREST subset supabase-js uses. Each request is one transaction
 * run as the caller's role with their claims set, so row-level security decides what they see.
 */
export function createRestRoutes({ db, tokens }: RestDeps): Hono {
  const catalog = createTableCatalogCache(db);
  const routes = new Hono();

  routes.all('/:table', async (c) => {
    const request = c.req.raw;
    const caller = await identifyCaller(request, tokens, c.req.query('apikey'));
    if (!caller.ok) return restErrorResponse(caller.error, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    const isAuthenticated = caller.value.role !== 'anon';

    const tableName = c.req.param('table');
    // The anon role holds no write grant on any table (README "Who may write what"), so its
    // writes are refused before a body of up to the REST limit is read and planned.
    if (!isAuthenticated && !['GET', 'HEAD'].includes(request.method)) {
      return restErrorResponse(fromSqlError({ code: '42501', message: `permission denied for table ${tableName}`, detail: undefined, hint: undefined }, false));
    }
    const body = await readBody(request);
    if (!body.ok) return restErrorResponse(body.error);
    const query = parseRestRequest({ method: request.method, table: tableName, params: [...new URL(request.url).searchParams], headers: request.headers, body: body.value });
    if (!query.ok) return restErrorResponse(query.error);
    const table = (await catalog()).get(tableName);
    if (!table) return restErrorResponse(restErrors.tableNotFound(tableName));
    if (query.value.kind !== 'read' && table.isReadOnly) {
      return restErrorResponse(fromSqlError({ code: '42501', message: `permission denied for table ${table.name}`, detail: undefined, hint: undefined }, isAuthenticated));
    }
    const statement = buildStatement(query.value, table);
    if (!statement.ok) return restErrorResponse(statement.error);

    const isChangeSingle = query.value.kind !== 'read' && query.value.output.isSingle;
    let result: StatementResult;
    try {
      result = await db.transaction(async (tx) => {
        // Like `set local role` and PostgREST's claims setting, both undone when the transaction ends.
        const role: Role = caller.value.role;
        await tx.query(`select set_config('role', $1::text, true), set_config('request.jwt.claims', $2::text, true)`, [role, JSON.stringify(caller.value)]);
        const [row] = await tx.query<StatementResult>(statement.value.text, statement.value.params);
        if (!row) throw new Error('a REST statement answered no row');
        if (isChangeSingle && row.page_total !== 1) throw new SingleRowViolation(row.page_total);
        return row;
      });
    } catch (error) {
      if (error instanceof SingleRowViolation) return restErrorResponse(restErrors.singleRowExpected(error.rows));
      const sqlError = readDatabaseError(error);
      if (sqlError) return restErrorResponse(fromSqlError(sqlError, isAuthenticated));
      throw error;
    }
    return respond(query.value, result);
  });

  return routes;
}

/** The caller's claims from `Authorization: Bearer`, or from the API key when there is none. */
async function identifyCaller(request: Request, tokens: TokenService, apikeyParam: string | undefined): Promise<Parsed<Claims>> {
  const token = readBearerToken(request) ?? request.headers.get('apikey') ?? apikeyParam;
  if (!token) return refused(restErrors.invalidToken('No token was sent: send the anon key or an access token.'));
  const verified = await tokens.verify(token);
  return verified.ok ? parsed(verified.value) : refused(restErrors.invalidToken(verified.error.message));
}

async function readBody(request: Request): Promise<Parsed<RequestBody>> {
  if (request.method !== 'POST' && request.method !== 'PATCH') return parsed({ kind: 'none' });
  const contentType = request.headers.get('content-type');
  if (contentType !== null && !/^application\/json\b/i.test(contentType.trim())) return refused(restErrors.contentTypeNotAcceptable(contentType));
  const text = await request.text();
  if (text.trim() === '') return parsed({ kind: 'none' });
  try {
    return parsed({ kind: 'json', value: JSON.parse(text) as unknown });
  } catch {
    return parsed({ kind: 'invalid' });
  }
}

/** PostgREST's Content-Range: `from-to/total`, `*` for an empty range or an uncounted total. */
function contentRange(lower: number, upper: number, total: number | null): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total ?? '*'}`;
}

function respond(query: RestQuery, result: StatementResult): Response {
  const { output } = query;
  const headers: Record<string, string> = {
    'Content-Type': output.isSingle ? 'application/vnd.pgrst.object+json; charset=utf-8' : 'application/json; charset=utf-8',
  };
  const isRepresented = query.kind === 'read' || query.returning.kind === 'representation';
  switch (query.kind) {
    case 'read': {
      const lower = query.offset;
      const upper = lower + result.page_total - 1;
      if (result.total !== null && lower > result.total) {
        // As PostgREST, the answer still says how many rows there are.
        return restErrorResponse(restErrors.rangeNotSatisfiable(`An offset of ${lower} was requested, but there are only ${result.total} rows.`), {
          'Content-Range': contentRange(1, 0, result.total),
        });
      }
      if (output.isSingle && result.page_total !== 1) return restErrorResponse(restErrors.singleRowExpected(result.page_total));
      headers['Content-Range'] = contentRange(lower, upper, result.total);
      const isPartial = result.total !== null && upper - lower + 1 < result.total;
      return new Response(result.body, { status: isPartial ? 206 : 200, headers });
    }
    case 'insert':
      headers['Content-Range'] = contentRange(1, 0, result.total);
      return new Response(isRepresented ? result.body : null, { status: 201, headers });
    case 'update':
    case 'delete':
      headers['Content-Range'] = contentRange(0, result.page_total - 1, result.total);
      return isRepresented ? new Response(result.body, { status: 200, headers }) : new Response(null, { status: 204, headers });
    default:
      throw new Error(`unexpected query: ${JSON.stringify(query satisfies never)}`);
  }
}

import { stringify } from 'csv-stringify/sync';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { fail, ok, type Result } from '../core/errors.js';
import type { Database, Row } from '../db/database.js';
import { EXPORT_KINDS, exportColumns, isActiveMember, readExportPages, type ExportFilters, type ExportKind } from '../db/export-pages.js';
import type { Viewer } from '../db/reports.js';
import { loggerFor } from '../request-logger.js';
import { errorResponse } from './http.js';
import type { TokenService } from './jwt.js';

/** An export link lasts a minute: long enough for the browser to follow it, too short to pass around. */
export const EXPORT_LINK_SECONDS = 60;
/** The purpose an export link's token is signed for (its own derived key, TokenService.signLinkToken). */
const EXPORT_PURPOSE = 'export';

export interface ExportRequest extends ExportFilters {
  readonly kind: ExportKind;
}

/**
 * A signed link to download an export as `viewer`: `/exports/<kind>.csv?token=…`, a path on this
 * server (resolve it against the server's address). The token binds the requester, the kind and
 * the filters; the download reads nothing else from the URL.
 */
export async function signExportLink(tokens: TokenService, viewer: Viewer, request: ExportRequest, nowSeconds = Math.floor(Date.now() / 1000)): Promise<{ url: string; expiresAt: string }> {
  const claims: Record<string, unknown> = {
    kind: request.kind,
    ...(viewer.kind === 'user' ? { sub: viewer.userId, email: viewer.email, role: 'authenticated' } : { role: 'service_role' }),
    ...(request.from ? { from: request.from.toISOString() } : {}),
    ...(request.to ? { to: request.to.toISOString() } : {}),
    ...(request.userEmail !== undefined ? { userEmail: request.userEmail } : {}),
    ...(request.eventKind !== undefined ? { eventKind: request.eventKind } : {}),
    ...(request.code !== undefined ? { code: request.code } : {}),
  };
  const token = await tokens.signLinkToken(EXPORT_PURPOSE, claims, EXPORT_LINK_SECONDS, nowSeconds);
  return { url: `/exports/${request.kind}.csv?token=${encodeURIComponent(token)}`, expiresAt: new Date((nowSeconds + EXPORT_LINK_SECONDS) * 1000).toISOString() };
}

/** The viewer and export a link's claims name, or why they do not. */
function readExportClaims(claims: Record<string, unknown>): Result<{ viewer: Viewer; request: ExportRequest }> {
  const { kind, role, sub, email, from, to, userEmail, eventKind, code } = claims;
  const isKind = (value: unknown): value is ExportKind => EXPORT_KINDS.some((known) => known === value);
  const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';
  if (!isKind(kind) || !isOptionalString(from) || !isOptionalString(to) || !isOptionalString(userEmail) || !isOptionalString(eventKind) || !isOptionalString(code)) return fail('unauthorized', 'The link is invalid: it names no export.');
  let viewer: Viewer;
  if (role === 'service_role') viewer = { kind: 'service' };
  else if (role === 'authenticated' && typeof sub === 'string' && typeof email === 'string') viewer = { kind: 'user', userId: sub, email };
  else return fail('unauthorized', 'The link is invalid: it names nobody.');
  const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));
  return ok({ viewer, request: { kind, from: date(from as string | undefined), to: date(to as string | undefined), userEmail: userEmail as string | undefined, eventKind: eventKind as string | undefined, code: code as string | undefined } });
}

/**
 * OWASP's CSV injection guidance: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return is prefixed with `'`, so a spreadsheet shows it as text and never runs it as a formula.
 * Phone numbers in E.164 (`+1555…`) get the prefix too, which also keeps spreadsheets from
 * turning them into numbers.
 */
export function escapeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const CSV_OPTIONS = {
  cast: {
    string: escapeFormula,
    date: (value: Date) => value.toISOString(),
    boolean: (value: boolean) => (value ? 'true' : 'false'),
  },
} as const;

export interface ExportRouteDeps {
  readonly db: Database;
  readonly tokens: TokenService;
  readonly logger: Logger;
}

/**
 * `GET /exports/<kind>.csv?token=…` (kind `history`, `leads` or `compliance`): the whole export as CSV, streamed
 * page by page (src/db/export-pages.ts) under the requester's visibility, with a header row and a
 * UTF-8 byte order mark (so spreadsheets read names right), as an attachment. The token comes
 * from `createExport` and is checked once, when the download starts.
 * Errors (JSON `{code, message}`): `unauthorized` (401) for a missing, expired or forged token or
 * one for another kind; `forbidden` (403) when the requester has been deactivated since;
 * `not_found` (404) for another file.
 */
export function createExportRoutes({ db, tokens, logger }: ExportRouteDeps): Hono {
  const routes = new Hono();
  routes.get('/:file', async (c) => {
    const kind = EXPORT_KINDS.find((known) => c.req.param('file') === `${known}.csv`);
    if (!kind) return errorResponse('not_found', `There is no such export: ask for ${EXPORT_KINDS.map((known) => `${known}.csv`).join(', ')}.`);
    const token = c.req.query('token');
    if (!token) return errorResponse('unauthorized', 'The link has no token: use the link createExport returns.');
    const verified = await tokens.verifyLinkToken(EXPORT_PURPOSE, token);
    if (!verified.ok) return errorResponse('unauthorized', verified.error.message);
    const claims = readExportClaims(verified.value);
    if (!claims.ok) return errorResponse('unauthorized', claims.error.message);
    const { viewer, request } = claims.value;
    if (request.kind !== kind) return errorResponse('unauthorized', `The link is for ${request.kind}.csv, not ${kind}.csv.`);
    if (viewer.kind === 'user' && !(await isActiveMember(db, viewer.userId))) {
      return errorResponse('forbidden', 'Your membership is deactivated: ask an admin of your workspace.');
    }

    const log = loggerFor(logger, c);
    const columns = exportColumns(kind);
    const pages = readExportPages(db, viewer, kind, request);
    // The first page is read before the answer: a database that fails now gets a 500, not a cut file.
    let firstPage: IteratorResult<Row[], void> | undefined = await pages.next();
    const encoder = new TextEncoder();
    let isFirst = true;
    const body = new ReadableStream<Uint8Array>({
      // One page per pull: the next is read only when the client has taken the last one.
      async pull(controller) {
        try {
          const page = firstPage ?? (await pages.next());
          firstPage = undefined;
          const records = page.done ? [] : page.value;
          if (isFirst || records.length > 0) controller.enqueue(encoder.encode(stringify(records, { ...CSV_OPTIONS, columns: [...columns], header: isFirst, bom: isFirst })));
          isFirst = false;
          if (page.done) controller.close();
        } catch (error) {
          // Headers are sent: the connection is cut, so the file is visibly incomplete, never silently short.
          log.error({ err: error, kind }, 'export failed while streaming');
          controller.error(error);
        }
      },
      async cancel() {
        await pages.return(undefined);
      },
    }, { highWaterMark: 0 });
    const day = new Date().toISOString().slice(0, 10);
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${kind}-${day}.csv"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
  return routes;
}

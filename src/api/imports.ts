import { Hono } from 'hono';
import { readDoNotCallFile } from '../core/do-not-call-file.js';
import { suggestMapping } from '../core/lead-import.js';
import { decodeText, describeBinaryFile, readCsv } from '../core/read-csv.js';
import { seesWholeWorkspace } from '../core/workspace.js';
import type { Database } from '../db/database.js';
import { importToDoNotCall, workspaceCountry } from '../db/do-not-call.js';
import { insertUpload, readWorkspaceCountry } from '../db/lead-import.js';
import { findMemberByUserId, type MemberRow } from '../db/workspaces.js';
import { appErrorResponse, errorResponse } from './http.js';
import { readBearerToken, type TokenService } from './jwt.js';

/** The preview shows this many rows of the file. */
export const SAMPLE_ROWS = 10;

/** A do-not-call import's answer lists this many refused rows (`invalid` counts them all). */
export const LISTED_DO_NOT_CALL_ERRORS = 100;

export interface ImportRouteDeps {
  readonly db: Database;
  readonly tokens: TokenService;
}

/** The signed-in, active member the request's access token names, or the answer refusing it. */
async function identifyMember(request: Request, tokens: TokenService, db: Database): Promise<MemberRow | Response> {
  const token = readBearerToken(request);
  if (!token) return errorResponse('unauthorized', 'Sign in first: the request has no access token.');
  const claims = await tokens.verify(token);
  if (!claims.ok) return errorResponse('unauthorized', claims.error.message);
  const { role, email, sub } = claims.value;
  if (role !== 'authenticated' || !email || !sub) return errorResponse('unauthorized', 'Sign in first: an import belongs to a member, so send a user access token.');
  const member = await findMemberByUserId(db, sub);
  if (!member?.is_active || member.user_email !== email) {
    return errorResponse('forbidden', 'This account is deactivated (or not a member of a workspace): an admin of the workspace can reactivate it.');
  }
  return member;
}

/** A file name for messages and the import's record: the last path segment, printable, at most 255 characters. */
function cleanFileName(name: string | undefined): string | undefined {
  const base = name?.split(/[/\\]/).pop()?.replace(/\p{Cc}/gu, '').trim();
  return base ? base.slice(0, 255) : undefined;
}

/**
 * `POST /imports/leads[?name=<file name>]` with the file as the raw body (`Content-Type: text/csv`,
 * at most 25 MiB, a member's Bearer token and the API key) → 201 `{importId, fileName, dialect:
 * {delimiter, hasBom, sepLine, encoding, lineBreak}, headers, suggestedMapping, sampleRows,
 * rowCount, defaultCountry}`: the preview. The file is read as CSV (src/core/read-csv.ts) and kept
 * on the server until startLeadImport has imported it. `headers` are the labels a mapping names
 * (unique: "Column C" for an empty header, "Phone (2)" for a repeat); `sampleRows` the first 10
 * rows' cells, one per header; `rowCount` the rows with data (blank rows not counted; 0 for a
 * header-only file, which startLeadImport refuses); `defaultCountry` the workspace's.
 * Errors: `unsupported_file` (415) for a workbook (.xlsx, .xls, .ods), archive, document or other
 * binary file, named; `invalid_file` (422) for an empty file or a quote never closed;
 * `payload_too_large` (413); `unauthorized` / `forbidden` as the functions.
 */
export function createImportRoutes({ db, tokens }: ImportRouteDeps): Hono {
  const routes = new Hono();
  routes.post('/leads', async (c) => {
    const member = await identifyMember(c.req.raw, tokens, db);
    if (member instanceof Response) return member;
    const fileName = cleanFileName(c.req.query('name'));
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const named = fileName ? `"${fileName}"` : 'The file';
    if (bytes.length === 0) return errorResponse('invalid_file', `${named} is empty: it needs a first row naming the columns, and a row for each lead.`);
    const kind = describeBinaryFile(bytes);
    if (kind) {
      return errorResponse('unsupported_file', `${named} is ${kind}, not a CSV file. Save it as CSV (in Excel: File › Save As › "CSV UTF-8"; in Google Sheets: File › Download › CSV) and upload that.`);
    }
    const decoded = decodeText(bytes);
    const table = readCsv(decoded);
    if (!table.ok) return appErrorResponse(table.error);
    const { dialect, headers, records } = table.value;
    const row = await insertUpload(db, { userEmail: member.user_email, fileName, dialect, headers, totalRows: records.length, content: decoded.text });
    const defaultCountry = await readWorkspaceCountry(db, member.workspace_id);
    return c.json(
      {
        importId: row.id,
        fileName: fileName ?? null,
        dialect,
        headers,
        suggestedMapping: suggestMapping(headers),
        sampleRows: records.slice(0, SAMPLE_ROWS).map((record) => headers.map((_, index) => record.cells[index] ?? '')),
        rowCount: records.length,
        defaultCountry,
      },
      201,
    );
  });

  /**
   * `POST /imports/do-not-call[?name=<file name>]` (admins and managers) with the file as the raw
   * body, as /imports/leads takes it → 200 `{added, alreadyListed, invalid, errors: [{row, input,
   * message}] (the first 100), format: "registry"|"table", columns}`: every number of the file on
   * the workspace's do-not-call list, committed 2,000 numbers at a time (src/core/do-not-call-file.ts reads a CSV
   * or text file, numbers in any column, or a National Do Not Call Registry download; source
   * `registry` for that, `import` otherwise; one compliance event per number added). `invalid`
   * counts the cells and lines that are not numbers; a number the file names twice counts once.
   * Errors: `forbidden` (a rep), `unsupported_file` (415), `invalid_file` (422: empty, a quote
   * never closed, no column of numbers), `payload_too_large` (413), `unauthorized`.
   */
  routes.post('/do-not-call', async (c) => {
    const member = await identifyMember(c.req.raw, tokens, db);
    if (member instanceof Response) return member;
    if (!seesWholeWorkspace(member.role)) return errorResponse('forbidden', 'Only an admin or a manager of the workspace can import a do-not-call file; add numbers one by one instead.');
    const fileName = cleanFileName(c.req.query('name'));
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const named = fileName ? `"${fileName}"` : 'The file';
    if (bytes.length === 0) return errorResponse('invalid_file', `${named} is empty: it needs phone numbers, one on each line or in a column named Phone.`);
    const kind = describeBinaryFile(bytes);
    if (kind) {
      return errorResponse('unsupported_file', `${named} is ${kind}, not a CSV or text file. Unzip a registry download first; save a spreadsheet as CSV and upload that.`);
    }
    const file = readDoNotCallFile(decodeText(bytes), await workspaceCountry(db, member.workspace_id));
    if (!file.ok) return appErrorResponse(file.error);
    const { format, columns, numbers, refusals } = file.value;
    const source = format === 'registry' ? 'registry' : 'import';
    const note = fileName ? `From the file "${fileName}".`.slice(0, 500) : null;
    // In batches of FILE_COMMIT_SIZE, each its own transaction: one transaction for a whole
    // registry extract held PGlite's only connection, and every dial of every workspace, for minutes.
    const counts = await importToDoNotCall(db, { userEmail: member.user_email, numbers: numbers.map((entry) => entry.e164), source, note });
    return c.json({
      ...counts,
      invalid: refusals.length,
      errors: refusals.slice(0, LISTED_DO_NOT_CALL_ERRORS).map((refusal) => ({ row: refusal.rowNumber, input: refusal.input, message: refusal.message })),
      format,
      columns,
    });
  });
  return routes;
}

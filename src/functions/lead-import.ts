import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { DUPLICATE_ACTIONS, describeRowRefusal, validateMapping, type ImportField, type ImportMapping } from '../core/lead-import.js';
import { isCountryCode } from '../core/phone-number.js';
import { findImport, isLiveListOf, queueImport, readImportErrors, readWorkspaceCountry, type ImportErrorRow, type LeadImportRow } from '../db/lead-import.js';
import { requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { leadImportRunnerFor } from './lead-import-runner.js';

/** getLeadImport lists at most this many refused rows (errorCount says how many there are). */
export const MAX_LISTED_ERRORS = 500;

const importId = z.uuid({ message: 'importId: the id POST /imports/leads answered with' });
const header = z.string().min(1).max(300);

const startLeadImportSchema = z
  .object({
    importId,
    mapping: z
      .object({
        name: header.optional(),
        firstName: header.optional(),
        lastName: header.optional(),
        phone: header.optional(),
        mobile: header.optional(),
        extension: header.optional(),
        company: header.optional(),
        email: header.optional(),
        notes: header.optional(),
        timeZone: header.optional(),
        region: header.optional(),
      } satisfies Record<ImportField, z.ZodType>)
      .strict(),
    defaultCountry: z
      .string()
      .trim()
      .toUpperCase()
      .refine(isCountryCode, { message: 'a two-letter country code (ISO 3166-1), e.g. DE' })
      .optional(),
    duplicates: z.enum(DUPLICATE_ACTIONS),
    listId: z.uuid().nullable().optional(),
  })
  .strict();

const getLeadImportSchema = z.object({ importId }).strict();

/** An import as the functions answer with it (camelCase, ISO timestamps). */
export function toLeadImportView(row: LeadImportRow) {
  return {
    id: row.id,
    status: row.status,
    fileName: row.file_name,
    userEmail: row.user_email,
    dialect: { delimiter: row.delimiter, hasBom: row.has_bom, sepLine: row.sep_line, encoding: row.encoding },
    headers: row.headers,
    mapping: row.mapping,
    defaultCountry: row.default_country,
    duplicates: row.duplicates,
    listId: row.list_id,
    totalRows: row.total_rows,
    processedRows: row.processed_rows,
    inserted: row.inserted,
    updated: row.updated,
    skippedDuplicates: row.skipped_duplicates,
    refused: row.refused,
    failure: row.failure,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

const toErrorView = (error: ImportErrorRow) => ({
  rowNumber: error.row_number,
  field: error.field,
  reason: error.reason,
  message: describeRowRefusal(error.row_number, error.field, error.reason),
});

/**
 * `startLeadImport {importId, mapping, defaultCountry?, duplicates: "skip"|"update", listId?}` →
 * `{import}` (status `queued`), for the importer of an upload (POST /imports/leads). The import
 * runs on the server in batches of 1,000 rows, each in its own transaction with the progress
 * counters; getLeadImport reports them. `mapping` names a header of the file for each field
 * (`name`, `firstName`, `lastName`, `phone`, `mobile`, `extension`, `company`, `email`, `notes`,
 * `timeZone`: the callee's IANA zone or a US abbreviation like CST, `region`: their US state, name
 * or USPS code);
 * `defaultCountry` reads numbers without `+` (default: the workspace's); `duplicates` is what a
 * row whose number is already a lead of the workspace does (a rep updates only their own leads);
 * `listId` puts the new leads (and, with `update`, the duplicates) in a live list of the workspace.
 * Starting an import that already started answers its state as it is.
 * Errors: `invalid_request` (a bad body, a mapping that does not fit the file's headers),
 * `empty_import` (a file with no rows), `not_found` (no such upload of yours, no such list).
 */
export const startLeadImport: FunctionHandler = async (request, caller, { db, logger }) => {
  const input = await parseBody(request, startLeadImportSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const { email, workspaceId } = member.value;
  const found = await findImport(db, input.value.importId, { email, workspaceId, role: 'rep' });
  if (!found) return errorResponse('not_found', 'There is no upload of yours with this importId: upload the file again (POST /imports/leads).');
  if (found.status !== 'uploaded') return Response.json({ import: toLeadImportView(found) });
  if (found.total_rows === 0) {
    return errorResponse('empty_import', `The file has a header row and no rows of leads${found.file_name ? ` ("${found.file_name}")` : ''}: nothing to import.`);
  }
  const mapping = validateMapping(input.value.mapping as ImportMapping, found.headers);
  if (!mapping.ok) return appErrorResponse(mapping.error);
  const listId = input.value.listId ?? null;
  if (listId !== null && !(await isLiveListOf(db, listId, workspaceId))) {
    return errorResponse('not_found', 'listId: there is no such list in your workspace (or it is archived).');
  }
  const defaultCountry = input.value.defaultCountry ?? (await readWorkspaceCountry(db, workspaceId));
  const runner = leadImportRunnerFor(db, logger);
  const queued = await queueImport(db, found.id, { mapping: mapping.value, defaultCountry, duplicates: input.value.duplicates, listId, runner: runner.id });
  // Started by another request in between (a double click): its state as it is.
  if (!queued) {
    const current = await findImport(db, found.id, { email, workspaceId, role: 'rep' });
    return current ? Response.json({ import: toLeadImportView(current) }) : errorResponse('not_found', 'The upload is gone: upload the file again.');
  }
  runner.run(queued.id);
  return Response.json({ import: toLeadImportView(queued) });
};

/**
 * `getLeadImport {importId}` → `{import, errors, errorCount}`: the import's state and counters,
 * and its refused rows in row order (the first 500; errorCount is all of them), each with its
 * row number (the header is row 1, as a spreadsheet numbers rows), field, reason and the message
 * `Row 7: phone: …`. The importer reads their imports; an admin or manager every import of the
 * workspace. An import whose server process died is resumed here (and by every process's sweep).
 * Errors: `not_found` for an import the caller cannot read.
 */
export const getLeadImport: FunctionHandler = async (request, caller, { db, logger }) => {
  const input = await parseBody(request, getLeadImportSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const viewer = { email: member.value.email, workspaceId: member.value.workspaceId, role: member.value.role };
  let found = await findImport(db, input.value.importId, viewer);
  if (!found) return errorResponse('not_found', 'There is no import with this importId in your workspace that you can see.');
  if ((found.status === 'queued' || found.status === 'running') && (await leadImportRunnerFor(db, logger).resumeIfStale(found.id))) {
    found = (await findImport(db, found.id, viewer)) ?? found;
  }
  const { errors, count } = await readImportErrors(db, found.id, MAX_LISTED_ERRORS);
  return Response.json({ import: toLeadImportView(found), errors: errors.map(toErrorView), errorCount: count });
};

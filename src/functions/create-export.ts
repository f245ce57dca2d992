import { z } from 'zod';
import { signExportLink } from '../api/exports.js';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { EXPORT_KINDS } from '../db/export-pages.js';
import { parseBody, type FunctionHandler } from './context.js';

/** What compliance_events.kind holds (db/migrations/0018_compliance.sql). */
const COMPLIANCE_EVENT_KINDS = ['dial_refused', 'abandoned', 'dnc_added', 'dnc_removed'] as const;

const instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 instant with a zone, e.g. 2026-11-30T00:00:00Z' });

const createExportSchema = z
  .object({
    kind: z.enum(EXPORT_KINDS),
    from: instant.optional(),
    to: instant.optional(),
    userEmail: z.string().trim().toLowerCase().pipe(z.email()).optional(),
    // Compliance only: the log's entry kind and code.
    eventKind: z.enum(COMPLIANCE_EVENT_KINDS, `eventKind is one of ${COMPLIANCE_EVENT_KINDS.join(', ')}`).optional(),
    code: z.string().trim().regex(/^[a-z_]{1,64}$/, 'code is an error code such as outside_calling_hours').optional(),
  })
  .strict();

/**
 * `createExport {kind: "history"|"leads"|"compliance", from?, to?, userEmail?, eventKind?, code?}` → `{url, expiresAt}`.
 *
 * `url` is a path on this server, `/exports/<kind>.csv?token=…`, that a browser follows (resolved
 * against the server's address) to download the whole export as CSV; it works for 60 seconds
 * (`expiresAt`, ISO 8601) and only for this caller, kind and filters, which the token carries.
 * Filters: `from` (inclusive) and `to` (exclusive), ISO 8601 instants on the call's end (history)
 * or the lead's creation (leads) or the entry (compliance: the compliance log), each optional, no
 * limit on the span; `userEmail`, one rep's rows; for compliance, `eventKind` (`dial_refused`,
 * `abandoned`, `dnc_added`, `dnc_removed`) and `code` (e.g. `do_not_call`). Which rows exist is the caller's visibility at download time (row-level security).
 * Errors: `invalid_request` (400) for a bad body or `to` not after `from`.
 */
export const createExport: FunctionHandler = async (request, caller, { tokens }) => {
  // The function routes pass their token service in; without it the server is mis-wired.
  if (!tokens) throw new Error('createExport needs the token service in its context');
  const input = await parseBody(request, createExportSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const from = input.value.from === undefined ? undefined : new Date(input.value.from);
  const to = input.value.to === undefined ? undefined : new Date(input.value.to);
  if (from && to && to.getTime() <= from.getTime()) return errorResponse('invalid_request', 'to: the end of the range must come after from (to is exclusive).');
  const { kind, eventKind, code } = input.value;
  if (kind !== 'compliance' && (eventKind !== undefined || code !== undefined)) {
    return errorResponse('invalid_request', 'eventKind and code filter the compliance export only.');
  }
  const link = await signExportLink(tokens, caller, { kind, from, to, userEmail: input.value.userEmail, eventKind, code });
  return Response.json(link);
};

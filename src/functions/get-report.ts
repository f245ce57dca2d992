import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { readDatabaseError } from '../db/database-error.js';
import { readReport, REPORT_GROUPINGS, REPORT_MODES } from '../db/reports.js';
import { parseBody, type FunctionHandler } from './context.js';

/** A report covers at most a year (a leap year's days): enough for any dashboard, bounded work. */
export const MAX_REPORT_DAYS = 366;
const DAY_MS = 24 * 3600 * 1000;

/**
 * An IANA zone name (`Europe/Paris`, `America/Argentina/Buenos_Aires`, `UTC`, `Etc/GMT+5`) that
 * the runtime knows. Offsets such as `+05:00` are refused on purpose: PostgreSQL reads a bare
 * offset as POSIX, east and west swapped, and would put every day boundary on the wrong side.
 */
export function isIanaTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 instant with a zone, e.g. 2026-11-30T00:00:00Z' });

const getReportSchema = z
  .object({
    from: instant,
    to: instant,
    groupBy: z.enum(REPORT_GROUPINGS),
    timeZone: z.string().max(64).refine(isIanaTimeZone, 'an IANA time zone name, e.g. Europe/Paris').default('UTC'),
    userEmail: z.string().trim().toLowerCase().pipe(z.email()).optional(),
    mode: z.enum(REPORT_MODES).default('all'),
  })
  .strict();

/**
 * `getReport {from, to, groupBy, timeZone?, userEmail?, mode?}` → `{rows: [{key, label?, isArchived?, ...figures}], totals: figures}`.
 *
 * - `from`, `to`: ISO 8601 instants with a zone; calls that ENDED in [from, to) count; `to` after
 *   `from`, at most 366 days apart.
 * - `groupBy`: `rep` (key = the rep's email; every active member the caller sees, with zeros when
 *   they made no calls), `day` (key = `YYYY-MM-DD`, a local date in `timeZone`, every day of the
 *   range, oldest first) or `list` (key = the lead list's id, `label` its name, `isArchived`; every
 *   live list the caller sees, with zeros, and archived lists with calls, by name; calls without a
 *   lead or whose lead is in no list under key null, label `No list`, last). A call counts toward
 *   its lead's list at report time (`call_logs.lead_id` → `leads.list_id`), not the list the lead
 *   was in when called; a lead the caller does not see (since assigned to another rep) or deleted
 *   counts as no list.
 * - `timeZone`: an IANA name, default `UTC`; only day buckets use it.
 * - `userEmail`: only that rep's calls. `mode`: `live` (real calls), `demo` (demo-mode calls) or
 *   `all` (default).
 * - figures: `dials, connects, connectRate` (connects / dials, a fraction 0..1, 0 without dials),
 *   `talkSeconds, voicemails, noAnswers, busy, failed, canceled`, `abandoned` (0 until power-dial
 *   sessions, issue 14), and `dispositions` {disposition: count} with every disposition present.
 *
 * Computed in SQL as the caller, through row-level security: a rep gets only their own calls, a
 * manager or admin their workspace's, the service role everyone's. Reads only; writes nothing.
 * Errors: `invalid_request` (400) for a bad body, zone, or range.
 */
export const getReport: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, getReportSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const from = new Date(input.value.from);
  const to = new Date(input.value.to);
  if (to.getTime() <= from.getTime()) return errorResponse('invalid_request', 'to: the end of the range must come after from (to is exclusive).');
  if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY_MS) {
    return errorResponse('invalid_request', `to: a report covers at most ${MAX_REPORT_DAYS} days; ask for a shorter range.`);
  }
  try {
    const report = await readReport(db, caller, { ...input.value, from, to, userEmail: input.value.userEmail });
    return Response.json(report);
  } catch (error) {
    // A zone name the runtime knows but this database's zone data does not.
    if (readDatabaseError(error)?.code === '22023') return errorResponse('invalid_request', `timeZone: the database does not know the time zone ${input.value.timeZone}.`);
    throw error;
  }
};

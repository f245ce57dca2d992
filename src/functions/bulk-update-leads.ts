import { z } from 'zod';
import { appErrorResponse } from '../api/http.js';
import { MAX_BULK_LEADS, type BulkLeadChange } from '../core/lead-lists.js';
import { LEAD_STATUSES } from '../core/rows.js';
import { bulkUpdateLeads as applyBulkUpdate } from '../db/bulk-update-leads.js';
import { requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';

const leadIds = z
  .array(z.uuid('each of leadIds must be a lead id'), 'leadIds is a list of lead ids')
  .min(1, 'leadIds names at least one lead')
  .max(MAX_BULK_LEADS, `leadIds names at most ${MAX_BULK_LEADS} leads: send a larger selection in several calls`);

/** One shape per action, each with only its own fields (STYLE 8). */
const bulkUpdateLeadsSchema = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('assign'), leadIds, userEmail: z.string('userEmail is the email of the member to assign the leads to').trim().toLowerCase().pipe(z.email('userEmail must be an email address')) }).strict(),
    z.object({ action: z.literal('move'), leadIds, listId: z.uuid('listId must be a list id, or null for no list').nullable() }).strict(),
    z.object({ action: z.literal('set_status'), leadIds, status: z.enum(LEAD_STATUSES, `status is one of ${LEAD_STATUSES.join(', ')}`) }).strict(),
    z.object({ action: z.literal('delete'), leadIds }).strict(),
  ],
  { error: 'action is one of assign, move, set_status, delete' },
);

/**
 * `bulkUpdateLeads {leadIds (1..1000), action: assign|move|set_status|delete, userEmail? | listId? | status?}`
 * -> `{updated, skipped: [{leadId, reason}]}`. Admins and managers act on any lead of their
 * workspace; a rep on their own leads, and assigns only to themselves. One transaction; a refused
 * target writes nothing; a set never clears do_not_call (src/core/dispositions.ts).
 */
export const bulkUpdateLeads: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, bulkUpdateLeadsSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const { leadIds: ids, ...change } = input.value;
  const outcome = await applyBulkUpdate(db, member.value, ids, change satisfies BulkLeadChange);
  return outcome.ok ? Response.json(outcome.value) : appErrorResponse(outcome.error);
};

import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { seesWholeWorkspace } from '../core/workspace.js';
import { abandonmentRates, type AbandonmentFigures, type AbandonmentRates } from '../db/abandonment.js';
import { requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';

const getAbandonmentRatesSchema = z
  .object({
    listId: z.uuid('listId is a lead list id').optional(),
    userEmail: z.string().trim().toLowerCase().pipe(z.email('userEmail is an email address')).optional(),
    mode: z.enum(['live', 'demo']).default('live'),
  })
  .strict();

const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
const toFigures = (figures: AbandonmentFigures) => ({ ...figures, percent: round2(figures.percent) });

function toView(rates: AbandonmentRates) {
  return {
    from: rates.from.toISOString(),
    to: rates.to.toISOString(),
    windowDays: rates.windowDays,
    limitPercent: rates.limitPercent,
    mode: rates.isMock ? 'demo' : 'live',
    total: toFigures(rates.total),
    lists: rates.lists.map(toFigures),
    reps: rates.reps.map(toFigures),
  };
}

/**
 * `getAbandonmentRates {listId?, userEmail?, mode?}` → `{from, to, windowDays, limitPercent, mode,
 * total, lists: [{listId, name, isArchived, ...figures}], reps: [{userEmail, ...figures}]}`, where
 * figures are `{answered, abandoned, percent, hasReachedLimit}`.
 *
 * The rolling 30-day abandonment rates (47 CFR 64.1200(a)(7)) for the manager's floor and the
 * session screen, from call history: `answered` is calls answered by a person (not a machine or
 * fax verdict), `abandoned` those no rep was connected to within 2 seconds, `percent` the rate
 * (2 decimals; null without answered calls), `hasReachedLimit` when it is at or over the
 * workspace's `limitPercent` (sessions then dial one line). Per list (the list each call was
 * placed for; `listId` null for calls placed for no list, last) and per rep.
 *
 * Admins and managers see their workspace, any list or rep in it; a rep sees their own calls
 * only (userEmail, when given, must be theirs). `mode`: `live` (real calls, default) or `demo`.
 * Reads only. Errors: `invalid_request` (400), `forbidden` (403: a rep asking for another rep,
 * or the service role, which has no workspace).
 */
export const getAbandonmentRates: FunctionHandler = async (request, caller, { db }) => {
  const hasBody = (await request.clone().text()).trim() !== '';
  const input = hasBody ? await parseBody(request, getAbandonmentRatesSchema) : { ok: true as const, value: getAbandonmentRatesSchema.parse({}) };
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const { workspaceId, email, role } = member.value;
  const isWorkspaceWide = seesWholeWorkspace(role);
  if (!isWorkspaceWide && input.value.userEmail !== undefined && input.value.userEmail !== email) {
    return errorResponse('forbidden', 'A rep sees their own abandonment rate only: leave userEmail out, or ask a manager.');
  }
  const rates = await abandonmentRates(db, workspaceId, {
    // History is written on the real clock (the dial gate's simulated clock is for demo calls' hours only).
    now: new Date(),
    listId: input.value.listId,
    userEmail: isWorkspaceWide ? input.value.userEmail : email,
    isMock: input.value.mode === 'demo',
  });
  return Response.json(toView(rates));
};

import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { DISPOSITIONS } from '../core/rows.js';
import { saveDisposition as saveDispositionRow } from '../db/dispositions.js';
import { parseBody, type FunctionHandler } from './context.js';

/** A callback further ahead than a year is a typo, not a plan. */
const MAX_CALLBACK_AHEAD_MS = 366 * 24 * 3600 * 1000;

const saveDispositionSchema = z
  .object({
    callId: z.uuid(),
    disposition: z.enum(DISPOSITIONS),
    notes: z.string().max(4000).nullish(),
    callbackAt: z.iso.datetime({ offset: true }).nullish(),
  })
  .strict();

/**
 * `saveDisposition {callId, disposition, notes?, callbackAt?}`: how a finished call went, saved
 * on its history row with the lead's new status in one transaction (the caller from the token).
 * Saving again corrects it. `callbackAt` (ISO 8601, in the future) goes with `callback` only.
 */
export const saveDisposition: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, saveDispositionSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const { callId, disposition, notes, callbackAt } = input.value;
  const callback = callbackAt ? new Date(callbackAt) : null;
  if (callback && disposition !== 'callback') return errorResponse('invalid_request', 'callbackAt: only a callback disposition has a callback time.');
  if (callback && callback.getTime() <= Date.now()) return errorResponse('invalid_request', 'callbackAt: the callback time must be in the future.');
  if (callback && callback.getTime() > Date.now() + MAX_CALLBACK_AHEAD_MS) return errorResponse('invalid_request', 'callbackAt: a callback can be at most a year ahead.');

  const saved = await saveDispositionRow(db, {
    userEmail: caller.kind === 'user' ? caller.email : undefined,
    callId,
    disposition,
    notes: notes === undefined ? undefined : notes?.trim() || null,
    callbackAt: callback,
  });
  if (!saved.ok) return appErrorResponse(saved.error);
  const { callLog, lead, hasLeadStatusChanged } = saved.value;
  return Response.json({ success: true, callLog, lead: lead ?? null, leadStatusChanged: hasLeadStatusChanged });
};

import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { SETTABLE_REP_STATES } from '../core/workspace.js';
import { setRepState as setRepStateRow } from '../db/rep-states.js';
import { requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { toRepStateView } from './workspace-views.js';

const setRepStateSchema = z.object({ state: z.enum(SETTABLE_REP_STATES, `state is ${SETTABLE_REP_STATES.join(' or ')}`) }).strict();

/**
 * `setRepState {state: "available"|"away"}`: the caller's own state. Answers the state that
 * results, which is the rule's (on_call while a line is live, offline with no client connected).
 */
export const setRepState: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, setRepStateSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const row = await setRepStateRow(db, member.value.email, input.value.state);
  if (!row) return errorResponse('not_found', 'You have no rep state: your membership is gone.');
  return Response.json({ repState: toRepStateView(row) });
};

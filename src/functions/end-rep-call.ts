import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { findCallById } from '../db/active-calls.js';
import { findVisibleCall, recordAudit } from '../db/workspaces.js';
import { parseBody, type FunctionHandler } from './context.js';
import { endLiveCall } from './twilio-end-call.js';

const endRepCallSchema = z.object({ callId: z.uuid('callId must be a call id') }).strict();

/**
 * `endRepCall {callId}`: an admin or manager ends a live call of their workspace from the floor
 * (a rep may end their own), exactly as the rep's hang-up does (endLiveCall: mock or Twilio).
 * A call the caller cannot see is `call_not_found`. Ending someone else's call is audited
 * (`call.ended_by_manager`) in the transaction that ends it.
 */
export const endRepCall: FunctionHandler = async (request, caller, context) => {
  const input = await parseBody(request, endRepCallSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const { db } = context;
  const call =
    caller.kind === 'service'
      ? await findCallById(db, input.value.callId)
      : await findVisibleCall(db, input.value.callId, { email: caller.email, workspaceId: caller.workspaceId, role: caller.role });
  if (!call) return errorResponse('call_not_found', 'No call you can see has that callId.');
  const actorEmail = caller.kind === 'service' ? 'service_role' : caller.email;
  if (actorEmail === call.user_email) return endLiveCall(call, context);
  return endLiveCall(call, context, async (tx, ending) => {
    const [owner] = await tx.sql<{ workspace_id: string }>`select workspace_id from active_calls where id = ${ending.id}`;
    if (!owner) throw new Error(`call ${ending.id} vanished while ending`);
    await recordAudit(tx, {
      workspaceId: owner.workspace_id,
      actorEmail,
      action: 'call.ended_by_manager',
      target: call.user_email,
      details: { callId: call.id, callSid: call.call_sid, statusBefore: call.status, provider: call.provider, lineNumber: call.line_number },
    });
  });
};

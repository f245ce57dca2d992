import { isTerminal } from '../core/call-status.js';
import { findCallBySid, updateCallStatus } from '../db/active-calls.js';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { authorizeFor } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { twilioEndCallSchema } from './schemas.js';

/**
 * `twilioEndCall`: hangs up the caller's own call, mock or real. Before the answer that is a
 * cancel, after it a completed call (status_source manual). Ending an ended call says so.
 */
export const twilioEndCall: FunctionHandler = async (request, caller, { db, mock, twilio, logger }) => {
  const input = await parseBody(request, twilioEndCallSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const email = authorizeFor(caller, input.value.userEmail);
  if (!email.ok) return appErrorResponse(email.error);

  const call = await findCallBySid(db, input.value.callSid);
  if (!call || call.user_email !== email.value) {
    // Another user's call is answered like a missing one: its existence is not theirs to learn.
    return errorResponse('call_not_found', 'No call of yours has that callSid.');
  }
  const alreadyEnded = { success: true, ended: false, status: call.status, message: `The call had already ended (${call.status}).`, call };
  if (isTerminal(call.status)) return Response.json(alreadyEnded);

  const ended = await updateCallStatus(db, call.id, {
    status: call.status === 'in-progress' ? 'completed' : 'canceled',
    statusSource: 'manual',
  });
  // A provider event can finish the call between our read and our update; then it had ended.
  if (!ended) {
    const current = await findCallBySid(db, input.value.callSid);
    return Response.json({ ...alreadyEnded, status: current?.status ?? call.status, call: current ?? call });
  }
  const provider = call.provider === 'mock' ? mock : twilio;
  try {
    await provider?.endCall(ended);
  } catch (error) {
    logger.error({ err: error, callSid: call.call_sid }, 'provider could not end the call');
  }
  return Response.json({ success: true, ended: true, status: ended.status, message: `Call ${ended.status}.`, call: ended });
};

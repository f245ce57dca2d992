import { isTerminal } from '../core/call-status.js';
import { findCallById, findCallBySid, lockCall, requestCallEnd, updateCallStatus, type ActiveCallRow } from '../db/active-calls.js';
import type { Queryable } from '../db/database.js';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { authorizeFor } from './caller.js';
import { parseBody, type FunctionContext, type FunctionHandler } from './context.js';
import { twilioEndCallSchema } from './schemas.js';

const alreadyEnded = (call: ActiveCallRow) => Response.json({ success: true, ended: false, status: call.status, message: `The call had already ended (${call.status}).`, call });

/**
 * `twilioEndCall`: hangs up the caller's own call, mock or real (endLiveCall).
 * `ended: true` means the hang-up was done or, for a Twilio call, asked of Twilio.
 */
export const twilioEndCall: FunctionHandler = async (request, caller, context) => {
  const { db } = context;
  const input = await parseBody(request, twilioEndCallSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const email = authorizeFor(caller, input.value.userEmail);
  if (!email.ok) return appErrorResponse(email.error);

  const call = await findCallBySid(db, input.value.callSid);
  if (!call || call.user_email !== email.value) {
    // Another user's call is answered like a missing one: its existence is not theirs to learn.
    return errorResponse('call_not_found', 'No call of yours has that callSid.');
  }
  return endLiveCall(call, context);
};

/** Runs in the transaction that ends (or asks to end) the call: an audit row commits with it. */
export type OnEndingCall = (tx: Queryable, call: ActiveCallRow) => Promise<void>;

/**
 * Hangs up a live call, mock or real, whoever asked (the rep's `twilioEndCall`, a manager's
 * `endRepCall`). Before the answer that is a cancel, after it a completed call (status_source
 * manual). Ending an ended call says so, and writes nothing (no audit row either).
 */
export async function endLiveCall(call: ActiveCallRow, context: FunctionContext, onEnding?: OnEndingCall): Promise<Response> {
  const { db, mock, twilio, logger } = context;
  if (isTerminal(call.status)) return alreadyEnded(call);
  if (call.provider === 'twilio' && twilio) return endTwilioCall(call, context, onEnding);

  const ended = await db.transaction(async (tx) => {
    // The status to end with comes from the locked row, not from the read above: a call answered
    // in between ends `completed` (a cancel of an answered call would be refused by the status
    // machine, and the hang-up lost).
    const current = await lockCall(tx, call.id);
    if (!current || isTerminal(current.status)) return undefined;
    const row = await updateCallStatus(tx, call.id, {
      status: current.status === 'in-progress' ? 'completed' : 'canceled',
      statusSource: 'manual',
    });
    if (row) await onEnding?.(tx, row);
    return row;
  });
  // A provider event finished the call between our read and our lock: it had ended.
  if (!ended) return alreadyEnded((await findCallById(db, call.id)) ?? call);
  const provider = call.provider === 'mock' ? mock : twilio;
  try {
    await provider?.endCall(ended);
  } catch (error) {
    logger.error({ err: error, callSid: call.call_sid }, 'provider could not end the call');
  }
  return Response.json({ success: true, ended: true, status: ended.status, message: `Call ${ended.status}.`, call: ended });
}

/**
 * A real call ends when Twilio ends it: the rep's request is noted on the row, Twilio is asked,
 * and the row finishes with what Twilio reports (its answer to the request, its callback, or the
 * sweep), so the history never shows an outcome Twilio did not report. Until then the call is
 * live, and so is its line, as the real call is still up.
 */
async function endTwilioCall(call: ActiveCallRow, { db, twilio, logger }: FunctionContext, onEnding: OnEndingCall | undefined): Promise<Response> {
  const requested = await db.transaction(async (tx) => {
    const row = await requestCallEnd(tx, call.id);
    if (row) await onEnding?.(tx, row);
    return row;
  });
  if (!requested) return alreadyEnded((await findCallById(db, call.id)) ?? call);
  try {
    await twilio?.endCall(requested);
  } catch (error) {
    logger.error({ err: error, callSid: call.call_sid }, 'Twilio could not end the call; the sweep will ask again');
  }
  const current = (await findCallById(db, call.id)) ?? requested;
  const isEnded = isTerminal(current.status);
  return Response.json({
    success: true,
    ended: true,
    endRequested: true,
    status: current.status,
    message: isEnded ? `Call ${current.status}.` : 'Hang-up requested: the call ends when Twilio confirms it.',
    call: current,
  });
}

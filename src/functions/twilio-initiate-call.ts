import { openCall } from '../db/place-call.js';
import type { AppError } from '../core/errors.js';
import { appErrorResponse } from '../api/http.js';
import { parseBody, type FunctionHandler } from './context.js';
import { dialErrorResponse, resolveCallTarget } from './place-call.js';
import { twilioInitiateCallSchema } from './schemas.js';

export const TWILIO_NOT_CONFIGURED_MESSAGE =
  'Real calls are not set up on this server (no Twilio credentials). Turn on demo mode to place simulated calls now.';

/**
 * `twilioInitiateCall`: places a real call through the Twilio provider. Without Twilio
 * credentials it answers `twilio_not_configured` (TW1) and writes nothing.
 */
export const twilioInitiateCall: FunctionHandler = async (request, caller, { db, twilio, metrics, clock }) => {
  const refuse = (error: AppError & { readonly details?: Readonly<Record<string, unknown>> }) => {
    metrics?.countRefused(error.code);
    return dialErrorResponse(error);
  };
  const input = await parseBody(request, twilioInitiateCallSchema);
  if (!input.ok) return refuse(input.error);
  const target = await resolveCallTarget(db, caller, input.value);
  if (!target.ok) return refuse(target.error);
  if (!twilio) return refuse({ code: 'twilio_not_configured', message: TWILIO_NOT_CONFIGURED_MESSAGE });

  const opened = await openCall(db, {
    ...target.value,
    callSid: null,
    lineNumber: input.value.lineNumber,
    sessionId: input.value.sessionId ?? null,
    provider: 'twilio',
    statusSource: 'system',
    amdEnabled: input.value.enableAMD,
    recordingEnabled: input.value.enableRecording,
    mockSeed: null,
    mockConfig: null,
  }, clock?.now() ?? Date.now());
  if (!opened.ok) return refuse(opened.error);
  metrics?.countPlaced('twilio');
  const call = opened.value;
  // A refusal (Twilio's code kept in the message) has already ended the row `failed` with the reason.
  const placed = await twilio.placeCall(call);
  if (!placed.ok) return appErrorResponse(placed.error);
  return Response.json({ success: true, callId: call.id, callSid: placed.value.call_sid, status: placed.value.status, call: placed.value });
};

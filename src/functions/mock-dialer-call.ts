import { randomBytes } from 'node:crypto';
import { mockConfigSchema } from '../core/mock-timeline.js';
import { loadDialerSettings } from '../db/dialer-settings.js';
import { openCall } from '../db/place-call.js';
import type { AppError } from '../core/errors.js';
import { appErrorResponse } from '../api/http.js';
import { parseBody, type FunctionHandler } from './context.js';
import { dialErrorResponse, resolveCallTarget } from './place-call.js';
import { describeZodError, mockDialerCallSchema } from './schemas.js';

/** `mockDialerCall`: places a simulated call (demo mode) that lives exactly like a real one. */
export const mockDialerCall: FunctionHandler = async (request, caller, { db, mock, twilio, newSeed, metrics, clock }) => {
  const refuse = (error: AppError & { readonly details?: Readonly<Record<string, unknown>> }) => {
    metrics?.countRefused(error.code);
    return dialErrorResponse(error);
  };
  const input = await parseBody(request, mockDialerCallSchema);
  if (!input.ok) return refuse(input.error);
  const target = await resolveCallTarget(db, caller, input.value);
  if (!target.ok) return refuse(target.error);

  const settings = await loadDialerSettings(db, target.value.userEmail, twilio === undefined);
  const saved = mockConfigSchema.safeParse(settings.mock_config);
  const mockConfig = input.value.mockConfig ?? (saved.success ? saved.data : undefined);
  if (!mockConfig) {
    return refuse({ code: 'invalid_request', message: `Your saved demo-mode settings are not valid (${saved.error ? describeZodError(saved.error) : 'unknown'}): fix them in Settings.` });
  }

  const opened = await openCall(db, {
    ...target.value,
    callSid: `MOCK${randomBytes(16).toString('hex')}`,
    lineNumber: input.value.lineNumber,
    sessionId: input.value.sessionId ?? null,
    provider: 'mock',
    statusSource: 'mock',
    amdEnabled: input.value.enableAMD ?? settings.default_amd,
    recordingEnabled: input.value.enableRecording ?? settings.default_recording,
    mockSeed: mockConfig.seed ?? newSeed(),
    mockConfig,
  }, clock?.now() ?? Date.now());
  if (!opened.ok) return refuse(opened.error);
  metrics?.countPlaced('mock');
  const call = opened.value;
  const placed = await mock.placeCall(call);
  if (!placed.ok) return appErrorResponse(placed.error);
  return Response.json({ success: true, callId: call.id, callSid: call.call_sid, status: call.status, call });
};

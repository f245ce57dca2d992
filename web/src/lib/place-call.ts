import type { SupabaseClient } from '@supabase/supabase-js';
import type { Lead } from '../../../src/core/rows.js';
import { invokeFunction, type FunctionResult } from './invoke-function.js';
import type { DialerSettings } from './settings-context.js';

export interface PlacedCall {
  readonly callId: string;
  readonly callSid: string | null;
}

export interface CallRequest {
  readonly to: string;
  /** Dialed after the answer; a lead's call dials the lead's own. */
  readonly extension?: string | undefined;
  readonly userEmail: string;
  readonly lineNumber: number;
  readonly lead?: Pick<Lead, 'id' | 'name'> | undefined;
}

/** Places a call the way the user's settings say: simulated in demo mode, else through Twilio. */
export function placeCall(supabase: SupabaseClient, settings: DialerSettings, request: CallRequest): Promise<FunctionResult<PlacedCall>> {
  const body = {
    to: request.to,
    ...(request.extension ? { extension: request.extension } : {}),
    userEmail: request.userEmail,
    lineNumber: request.lineNumber,
    enableAMD: settings.default_amd,
    enableRecording: settings.default_recording,
    ...(request.lead ? { leadId: request.lead.id, leadName: request.lead.name } : {}),
  };
  return invokeFunction<PlacedCall>(supabase, settings.use_mock_dialer ? 'mockDialerCall' : 'twilioInitiateCall', body);
}

/** Hangs up one of the user's calls (a cancel before the answer, a completed call after it). */
export function endCall(supabase: SupabaseClient, callSid: string, userEmail: string): Promise<FunctionResult<{ ended: boolean; message: string }>> {
  return invokeFunction(supabase, 'twilioEndCall', { callSid, userEmail });
}

import { z } from 'zod';
import { mockConfigSchema } from '../core/mock-timeline.js';
import { normalizePhoneNumber } from '../core/phone-number.js';
import { VOICEMAIL_ACTIONS } from '../core/rows.js';
import { loadDialerSettings, updateDialerSettings } from '../db/dialer-settings.js';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { authorizeFor } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';

const phoneOrNull = z.string().max(40).nullable();
const demoClockOffset = z
  .number('demoClockOffsetSeconds is a whole number of seconds or null')
  .int('demoClockOffsetSeconds is a whole number of seconds')
  .min(-366 * 86_400, 'demoClockOffsetSeconds is at most a year back')
  .max(366 * 86_400, 'demoClockOffsetSeconds is at most a year ahead')
  .nullable();

const dialerSettingsSchema = z
  .object({
    userEmail: z.string().trim().toLowerCase().pipe(z.email()),
    update: z
      .object({
        use_mock_dialer: z.boolean(),
        mock_config: mockConfigSchema,
        caller_id: phoneOrNull,
        forward_to_number: phoneOrNull,
        default_amd: z.boolean(),
        default_recording: z.boolean(),
        voicemail_action: z.enum(VOICEMAIL_ACTIONS),
        // Demo mode only: the dial gate's simulated clock for this user's demo calls, in seconds
        // from now (at most a year either way); null: the real clock. Real calls never use it.
        demo_clock_offset_seconds: demoClockOffset,
        demoClockOffsetSeconds: demoClockOffset,
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

/** Normalises an optional phone setting; a bad one is refused like any number (IN2). */
function normalizeOptionalPhone(value: string | null | undefined) {
  if (value === undefined || value === null || value.trim() === '') return { ok: true, value: value === undefined ? undefined : null } as const;
  const phone = normalizePhoneNumber(value);
  return phone.ok ? ({ ok: true, value: phone.value.e164 } as const) : phone;
}

/**
 * `dialerSettings`: reads the caller's settings, applying `update` first when given. `update`
 * takes the row's names; the demo clock as `demo_clock_offset_seconds` or `demoClockOffsetSeconds`.
 */
export const dialerSettings: FunctionHandler = async (request, caller, { db, twilio }) => {
  const input = await parseBody(request, dialerSettingsSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const email = authorizeFor(caller, input.value.userEmail);
  if (!email.ok) return appErrorResponse(email.error);
  const { update } = input.value;
  const callerId = normalizeOptionalPhone(update?.caller_id);
  if (!callerId.ok) return errorResponse('invalid_phone_number', `Caller ID: ${callerId.error.message}`);
  const forwardTo = normalizeOptionalPhone(update?.forward_to_number);
  if (!forwardTo.ok) return errorResponse('invalid_phone_number', `Forward-to number: ${forwardTo.error.message}`);

  const settings = await db.transaction(async (tx) => {
    const current = await loadDialerSettings(tx, email.value, twilio === undefined);
    if (!update) return current;
    const { caller_id: _callerId, forward_to_number: _forwardTo, demoClockOffsetSeconds, demo_clock_offset_seconds: offset, ...rest } = update;
    return updateDialerSettings(tx, email.value, {
      ...rest,
      ...(offset === undefined && demoClockOffsetSeconds === undefined ? {} : { demo_clock_offset_seconds: offset === undefined ? demoClockOffsetSeconds : offset }),
      ...(callerId.value === undefined ? {} : { caller_id: callerId.value }),
      ...(forwardTo.value === undefined ? {} : { forward_to_number: forwardTo.value }),
    });
  });
  return Response.json({ settings, twilioConfigured: twilio !== undefined });
};

import { z } from 'zod';
import { mockConfigSchema } from '../core/mock-timeline.js';

/** Fields the call-placing functions share, with the seed's names. */
export const placeCallFields = {
  to: z.string().min(1, 'to is required').max(40),
  userEmail: z.string().trim().toLowerCase().pipe(z.email()),
  leadId: z.uuid().nullish(),
  leadName: z.string().trim().max(200).nullish(),
  // A JSON number only: coercion would take `true`, `[3]`, `" 3 "` and `"3"` as line 1 or 3.
  lineNumber: z.number('lineNumber is 1, 2 or 3').int('lineNumber is 1, 2 or 3').min(1, 'lineNumber is 1, 2 or 3').max(3, 'lineNumber is 1, 2 or 3'),
  sessionId: z.string().trim().min(1).max(100).nullish(),
};

export const mockDialerCallSchema = z
  .object({
    ...placeCallFields,
    mockConfig: mockConfigSchema.nullish(),
    enableAMD: z.boolean().optional(),
    enableRecording: z.boolean().optional(),
  })
  .strict();

export const twilioInitiateCallSchema = z
  .object({ ...placeCallFields, enableAMD: z.boolean().default(false), enableRecording: z.boolean().default(false) })
  .strict();

export const twilioEndCallSchema = z
  .object({ callSid: z.string().trim().min(1).max(64), userEmail: z.string().trim().toLowerCase().pipe(z.email()) })
  .strict();

export { describeZodError } from '../core/zod-error.js';

import { z } from 'zod';
import { mockConfigSchema } from '../core/mock-timeline.js';
import { EXTENSION_PATTERN } from '../core/phone-number.js';

/** Fields the call-placing functions share, with the seed's names. */
export const placeCallFields = {
  // Room for what people paste: a label, a tel: link, an extension ("+49 30 1234567 ext. 89").
  to: z.string().min(1, 'to is required').max(100),
  // Digits dialed after the answer; an extension written in `to` is read from there too.
  extension: z.string().trim().regex(EXTENSION_PATTERN, 'extension is 1 to 10 digits').nullish(),
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

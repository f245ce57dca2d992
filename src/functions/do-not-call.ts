import { z } from 'zod';
import { appErrorResponse } from '../api/http.js';
import { normalizePhoneNumber } from '../core/phone-number.js';
import { addToDoNotCall, removeFromDoNotCall, workspaceCountry } from '../db/do-not-call.js';
import { requireManager, requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';

/** addDoNotCallNumbers takes at most this many numbers; a longer list is a file (POST /imports/do-not-call). */
export const MAX_NUMBERS_PER_ADD = 1000;

const addDoNotCallNumbersSchema = z
  .object({
    numbers: z
      .array(z.string().max(100, 'each number is at most 100 characters'), 'numbers is a list of phone numbers')
      .min(1, 'numbers: give at least one number')
      .max(MAX_NUMBERS_PER_ADD, `numbers: at most ${MAX_NUMBERS_PER_ADD} at a time; import a longer list as a file (POST /imports/do-not-call)`),
    note: z.string().trim().max(500, 'note is at most 500 characters').optional(),
  })
  .strict();

const removeDoNotCallNumberSchema = z
  .object({
    phoneNumber: z.string().min(1, 'phoneNumber is required').max(100),
    reason: z.string().trim().min(1, 'reason: say why the number may be called again').max(500, 'reason is at most 500 characters'),
  })
  .strict();

/**
 * `addDoNotCallNumbers {numbers: string[] (1–1,000, any written form), note?}` (any active member:
 * a rep may add) → `{added, alreadyListed, invalid: [{input, message}]}`. Each number is read as
 * the dialer reads one (src/core/phone-number.ts: a number without `+` in the workspace's
 * country); the valid ones go on the workspace's do-not-call list (source `manual`, one
 * compliance event each), the others are listed with why. A number already listed keeps its
 * first entry and counts as `alreadyListed`; a number given twice counts once.
 * Errors: `invalid_request` (a bad body).
 */
export const addDoNotCallNumbers: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, addDoNotCallNumbersSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const country = await workspaceCountry(db, member.value.workspaceId);
  const valid: string[] = [];
  const invalid: { input: string; message: string }[] = [];
  for (const text of input.value.numbers) {
    const phone = normalizePhoneNumber(text, country, { canHaveExtension: true });
    if (phone.ok) valid.push(phone.value.e164);
    else invalid.push({ input: text, message: phone.error.message });
  }
  const counts = await db.transaction((tx) =>
    addToDoNotCall(tx, { userEmail: member.value.email, numbers: valid, source: 'manual', note: input.value.note ?? null }),
  );
  return Response.json({ ...counts, invalid });
};

/**
 * `removeDoNotCallNumber {phoneNumber, reason (1–500)}` (admins and managers) → `{removed}`:
 * takes the number off the workspace's list, recording who and why (a `dnc_removed` compliance
 * event and an audit entry). `removed: false` when it was not listed. A lead of the workspace with
 * the number and the status do_not_call still stops its dials.
 * Errors: `invalid_request`, `invalid_phone_number` (400), `forbidden` (a rep).
 */
export const removeDoNotCallNumber: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, removeDoNotCallNumberSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const manager = requireManager(caller);
  if (!manager.ok) return appErrorResponse(manager.error);
  const { email, workspaceId } = manager.value;
  const phone = normalizePhoneNumber(input.value.phoneNumber, await workspaceCountry(db, workspaceId), { canHaveExtension: true });
  if (!phone.ok) return appErrorResponse(phone.error);
  const removed = await db.transaction((tx) =>
    removeFromDoNotCall(tx, { actor: { email, workspaceId }, phoneNumber: phone.value.e164, reason: input.value.reason }),
  );
  return removed.ok ? Response.json(removed.value) : appErrorResponse(removed.error);
};

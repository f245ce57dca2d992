import { fail, httpStatusOf, ok, type AppError, type Result } from '../core/errors.js';
import { normalizePhoneNumber } from '../core/phone-number.js';
import type { Queryable } from '../db/database.js';
import { authorizeFor, type Caller } from './caller.js';

export interface CallTarget {
  readonly userEmail: string;
  readonly toNumber: string;
  /** Dialed after the answer; a lead's call dials the lead's. */
  readonly extension: string | null;
  readonly leadId: string | null;
  readonly leadName: string | null;
}

/**
 * What both call-placing functions check before writing anything: the caller acts for
 * themself, the number is real (IN2), and a named lead is the caller's own.
 */
export async function resolveCallTarget(
  db: Queryable,
  caller: Caller,
  input: { userEmail: string; to: string; extension?: string | null | undefined; leadId?: string | null | undefined; leadName?: string | null | undefined },
): Promise<Result<CallTarget>> {
  const email = authorizeFor(caller, input.userEmail);
  if (!email.ok) return email;
  const phone = normalizePhoneNumber(input.to, 'US', { canHaveExtension: true });
  if (!phone.ok) return phone;
  const written = phone.value.extension;
  if (input.extension && written && input.extension !== written) {
    return fail('invalid_request', `extension: ${input.extension} is not the extension written in the number, ${written}.`);
  }
  const extension = input.extension ?? written ?? null;
  if (!input.leadId) return ok({ userEmail: email.value, toNumber: phone.value.e164, extension, leadId: null, leadName: input.leadName ?? null });
  const [lead] = await db.sql<{ id: string; name: string; phone: string; extension: string | null }>`
    select id, name, phone, extension from leads where id = ${input.leadId} and user_email = ${email.value}`;
  if (!lead) return fail('lead_not_found', 'That lead does not exist or is not yours.');
  // A call is recorded against its lead (attempts, status, do-not-call), so it must dial the lead's number.
  if (lead.phone !== phone.value.e164) return fail('invalid_request', `to: a call to ${lead.name} dials the lead's number, ${lead.phone}.`);
  // …and its extension: the lead's stored one when the request names none.
  if (extension !== null && extension !== lead.extension) {
    return fail(
      'invalid_request',
      lead.extension ? `extension: a call to ${lead.name} dials the lead's extension, ${lead.extension}.` : `extension: ${lead.name} has no extension; save one on the lead to dial it.`,
    );
  }
  return ok({ userEmail: email.value, toNumber: phone.value.e164, extension: lead.extension, leadId: lead.id, leadName: input.leadName ?? lead.name });
}

/**
 * A refused dial's answer: the one error shape (`code`, `message`) and, for a refusal of the dial
 * gate, `details` (the rule, the callee's local time, `opensAt` or `nextAttemptAt`, zones).
 */
export function dialErrorResponse(error: AppError & { readonly details?: Readonly<Record<string, unknown>> }): Response {
  const { code, message, details } = error;
  return Response.json({ code, message, ...(details ? { details } : {}) }, { status: httpStatusOf(code) });
}

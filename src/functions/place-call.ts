import { fail, ok, type Result } from '../core/errors.js';
import { normalizePhoneNumber } from '../core/phone-number.js';
import type { Queryable } from '../db/database.js';
import { authorizeFor, type Caller } from './caller.js';

export interface CallTarget {
  readonly userEmail: string;
  readonly toNumber: string;
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
  input: { userEmail: string; to: string; leadId?: string | null | undefined; leadName?: string | null | undefined },
): Promise<Result<CallTarget>> {
  const email = authorizeFor(caller, input.userEmail);
  if (!email.ok) return email;
  const phone = normalizePhoneNumber(input.to);
  if (!phone.ok) return phone;
  if (!input.leadId) return ok({ userEmail: email.value, toNumber: phone.value.e164, leadId: null, leadName: input.leadName ?? null });
  const [lead] = await db.sql<{ id: string; name: string; phone: string }>`
    select id, name, phone from leads where id = ${input.leadId} and user_email = ${email.value}`;
  if (!lead) return fail('lead_not_found', 'That lead does not exist or is not yours.');
  // A call is recorded against its lead (attempts, status, do-not-call), so it must dial the lead's number.
  if (lead.phone !== phone.value.e164) return fail('invalid_request', `to: a call to ${lead.name} dials the lead's number, ${lead.phone}.`);
  return ok({ userEmail: email.value, toNumber: phone.value.e164, leadId: lead.id, leadName: input.leadName ?? lead.name });
}

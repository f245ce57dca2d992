import { fail, ok, type Result } from '../core/errors.js';

/** Who is calling a function, from their access token. */
export type Caller = { readonly kind: 'user'; readonly email: string; readonly userId: string } | { readonly kind: 'service' };

/** A request may act only for its own user; the service role may act for anyone. */
export function authorizeFor(caller: Caller, userEmail: string): Result<string> {
  const email = userEmail.trim().toLowerCase();
  if (caller.kind === 'service' || caller.email === email) return ok(email);
  return fail('forbidden', 'You can only act for your own account: userEmail must be the signed-in user.');
}

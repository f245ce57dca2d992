import { fail, ok, type Result } from '../core/errors.js';
import { seesWholeWorkspace, type Role } from '../core/workspace.js';

/**
 * Who is calling a function: a signed-in, active member of a workspace (from their access token
 * and their membership, read once per request), or the service role.
 */
export type Caller =
  | { readonly kind: 'user'; readonly email: string; readonly userId: string; readonly workspaceId: string; readonly role: Role }
  | { readonly kind: 'service' };

/** A request may act only for its own user; the service role may act for anyone. */
export function authorizeFor(caller: Caller, userEmail: string): Result<string> {
  const email = userEmail.trim().toLowerCase();
  if (caller.kind === 'service' || caller.email === email) return ok(email);
  return fail('forbidden', 'You can only act for your own account: userEmail must be the signed-in user.');
}

/** The caller as an admin of their workspace, or `forbidden`. */
export function requireAdmin(caller: Caller): Result<Extract<Caller, { kind: 'user' }>> {
  if (caller.kind === 'user' && caller.role === 'admin') return ok(caller);
  return fail('forbidden', 'Only an admin of the workspace can do this.');
}

/** The caller as an admin or manager of their workspace, or `forbidden`. */
export function requireManager(caller: Caller): Result<Extract<Caller, { kind: 'user' }>> {
  if (caller.kind === 'user' && seesWholeWorkspace(caller.role)) return ok(caller);
  return fail('forbidden', 'Only an admin or a manager of the workspace can do this.');
}

/** The caller as a member (any role): workspace functions act on the caller's own workspace. */
export function requireMember(caller: Caller): Result<Extract<Caller, { kind: 'user' }>> {
  if (caller.kind === 'user') return ok(caller);
  return fail('forbidden', 'This function acts for a signed-in member: call it with a user access token.');
}

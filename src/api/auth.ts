import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { INVITATION_PROBLEM_MESSAGES } from '../core/workspace.js';
import { lockInvitationForSignUp } from '../db/invitations.js';
import { mayCreateWorkspace, signUp } from '../db/sign-up.js';
import { closeSessions, findUserByEmail, findUserBySession, openSession, rotateRefreshToken, type UserRow } from '../db/users.js';
import { findMemberByUserId } from '../db/workspaces.js';
import { createHashGate, type HashGate } from '../auth/hash-gate.js';
import { hashPassword, UNKNOWN_USER_PASSWORD_HASH, verifyPassword } from '../auth/password.js';
import { createSignInThrottle, type SignInThrottle } from '../auth/sign-in-throttle.js';
import { ACCESS_TOKEN_SECONDS, readBearerToken, type TokenService } from './jwt.js';

/** GoTrue's error codes for what this subset can refuse, with their HTTP statuses. */
const AUTH_ERRORS = {
  validation_failed: 400,
  invalid_credentials: 400,
  unsupported_grant_type: 400,
  refresh_token_not_found: 400,
  refresh_token_already_used: 400,
  no_authorization: 401,
  bad_jwt: 403,
  session_not_found: 403,
  user_banned: 403,
  user_already_exists: 422,
  weak_password: 422,
  signup_disabled: 422,
  // Not GoTrue's: an invitation link that cannot be used (the message says why).
  invitation_invalid: 422,
  over_request_rate_limit: 429,
} as const;
type AuthErrorCode = keyof typeof AUTH_ERRORS;

const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 256;
/** RFC 5321's limit on a forward path, less its angle brackets. */
const MAX_EMAIL_LENGTH = 254;
/** User metadata is a few profile fields; it rides in every user object we send. */
const MAX_METADATA_BYTES = 4 * 1024;
// auth-js reads `code` as the error code when the response declares API version 2024-01-01.
const API_VERSION_HEADERS = { 'X-Supabase-Api-Version': '2024-01-01' };

function authError(code: AuthErrorCode, message: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ code, message, ...extra }, { status: AUTH_ERRORS[code], headers: API_VERSION_HEADERS });
}

/** Size as JSON in bytes; a value JSON cannot write (nested too deep) counts as too large. */
function jsonByteLength(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value));
  } catch {
    return Infinity;
  }
}

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().max(MAX_EMAIL_LENGTH).pipe(z.email()),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  data: z
    .record(z.string(), z.unknown())
    .refine((data) => jsonByteLength(data) <= MAX_METADATA_BYTES)
    .optional(),
});
const CREDENTIAL_PROBLEMS: Readonly<Record<keyof z.infer<typeof credentialsSchema>, string>> = {
  email: `A valid email address of at most ${MAX_EMAIL_LENGTH} characters is required.`,
  password: `A password of 1 to ${MAX_PASSWORD_LENGTH} characters is required.`,
  data: `User metadata (data) must be a JSON object of at most ${MAX_METADATA_BYTES / 1024} KiB.`,
};
/** The invitation a sign-up presents, as `options.data.invitation_token`; it is taken out of the metadata. */
const invitationTokenSchema = z.string().min(1).max(512).optional();
const refreshSchema = z.object({ refresh_token: z.string().min(1).max(512) });
const logoutScopeSchema = z.enum(['global', 'local', 'others']).default('global');

/** Who is asking, for sign-in throttling: the connection's address (the in-process tests have none). */
function clientAddressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The user object as Supabase Auth returns it. */
function toAuthUser(user: UserRow) {
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    email_confirmed_at: user.created_at,
    confirmed_at: user.created_at,
    phone: '',
    last_sign_in_at: user.last_sign_in_at,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: user.raw_user_meta_data,
    identities: [],
    created_at: user.created_at,
    updated_at: user.updated_at,
    is_anonymous: false,
  };
}

export interface AuthDeps {
  readonly db: Database;
  readonly tokens: TokenService;
  /** New users start in demo mode when the server cannot place real calls. */
  readonly startInDemoMode: boolean;
  /** OPEN_SIGNUP: anyone may sign up, uninvited, into a workspace of their own. */
  readonly openSignup: boolean;
  readonly signInThrottle?: SignInThrottle;
  readonly hashGate?: HashGate;
  readonly metrics?: AuthMetrics | undefined;
}

/** 429s counted: a throttled sign-in, or a password hash queue that was full. */
export interface AuthMetrics {
  countRateLimited(endpoint: 'sign_in' | 'sign_up', reason: 'throttle' | 'hash_queue'): void;
}

/** `/auth/v1`: the part of Supabase Auth (GoTrue) that supabase-js uses for email and password. */
export function createAuthRoutes({ db, tokens, startInDemoMode, openSignup, metrics, ...limits }: AuthDeps): Hono {
  const routes = new Hono();
  const throttle = limits.signInThrottle ?? createSignInThrottle();
  const hashGate = limits.hashGate ?? createHashGate();
  // Sign-ups hash in their own queue: a flood of them must not refuse a rep's sign-in.
  const signUpHashGate = createHashGate();
  const signUpDisabled = () => authError('signup_disabled', 'Signups not allowed for this instance: ask an admin of your workspace for an invitation link.');
  const rateLimited = (endpoint: 'sign_in' | 'sign_up', reason: 'throttle' | 'hash_queue') => {
    metrics?.countRateLimited(endpoint, reason);
    return authError('over_request_rate_limit', 'Request rate limit reached: wait a few minutes before signing in again.');
  };

  async function sessionResponse(user: UserRow, sessionId: string, refreshToken: string): Promise<Response> {
    const { token, expiresAt } = await tokens.signAccessToken({ id: user.id, email: user.email, sessionId });
    return Response.json(
      { access_token: token, token_type: 'bearer', expires_in: ACCESS_TOKEN_SECONDS, expires_at: expiresAt, refresh_token: refreshToken, user: toAuthUser(user) },
      { headers: API_VERSION_HEADERS },
    );
  }

  async function parseCredentials(c: Context) {
    const parsed = credentialsSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path[0];
      const message = typeof field === 'string' && Object.hasOwn(CREDENTIAL_PROBLEMS, field) ? CREDENTIAL_PROBLEMS[field as keyof typeof CREDENTIAL_PROBLEMS] : 'A valid email address and a password are required.';
      return { error: authError('validation_failed', message) } as const;
    }
    return { credentials: parsed.data } as const;
  }

  /** The signed-in user behind the request's access token, or the GoTrue error to answer with. */
  async function requireUser(c: Context): Promise<{ user: UserRow; isActiveMember: boolean; sessionId: string } | { error: Response }> {
    const bearer = readBearerToken(c.req.raw);
    if (!bearer) return { error: authError('no_authorization', 'This endpoint requires a Bearer token.') };
    const claims = await tokens.verify(bearer);
    if (!claims.ok || claims.value.role !== 'authenticated' || !claims.value.sub || !claims.value.session_id) {
      return { error: authError('bad_jwt', `Invalid JWT: ${claims.ok ? 'it is not a user access token.' : claims.error.message}`) };
    }
    const found = await findUserBySession(db, claims.value.sub, claims.value.session_id);
    if (!found) return { error: authError('session_not_found', 'The session of this token has ended: sign in again.') };
    return { user: found.user, isActiveMember: found.isActiveMember, sessionId: claims.value.session_id };
  }

  const deactivated = () => authError('user_banned', 'This account has been deactivated by an admin of its workspace.');

  routes.post('/signup', async (c) => {
    const parsed = await parseCredentials(c);
    if ('error' in parsed) return parsed.error;
    const { email, password, data } = parsed.credentials;
    const { invitation_token: rawToken, ...metadata } = data ?? {};
    const invitationToken = invitationTokenSchema.safeParse(rawToken);
    if (!invitationToken.success) return authError('validation_failed', 'data.invitation_token must be the token of an invitation link.');
    if (password.length < MIN_PASSWORD_LENGTH) {
      return authError('weak_password', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`, { weak_password: { reasons: ['length'] } });
    }
    // A taken email is answered before any hashing, so repeating a sign-up costs nothing.
    if (await findUserByEmail(db, email)) return authError('user_already_exists', 'User already registered.');
    if (invitationToken.data === undefined && !(await mayCreateWorkspace(db, openSignup))) return signUpDisabled();
    // So is a link that cannot be used: a flood of made-up or spent tokens costs a lookup each, not
    // a scrypt (which would also queue an invited person's sign-up behind it). Its own statement
    // outside a transaction, so the row lock lasts the statement; signUp decides again under it.
    if (invitationToken.data !== undefined) {
      const invitation = await lockInvitationForSignUp(db, invitationToken.data, email);
      if (invitation.kind === 'refused') return authError('invitation_invalid', INVITATION_PROBLEM_MESSAGES[invitation.problem], { reason: invitation.problem });
    }
    const hashed = await signUpHashGate.run(() => hashPassword(password));
    if (!hashed.ok) return rateLimited('sign_up', 'hash_queue');
    const result = await signUp(db, { email, encryptedPassword: hashed.value, metadata, invitationToken: invitationToken.data, openSignup, startInDemoMode });
    switch (result.kind) {
      case 'signed_up':
        return sessionResponse(result.user, result.issued.sessionId, result.issued.refreshToken);
      case 'user_already_exists':
        return authError('user_already_exists', 'User already registered.');
      case 'signup_disabled':
        return signUpDisabled();
      case 'invitation_invalid':
        return authError('invitation_invalid', INVITATION_PROBLEM_MESSAGES[result.problem], { reason: result.problem });
      default: {
        const unreachable: never = result;
        throw new Error(`unhandled sign-up result ${String(unreachable)}`);
      }
    }
  });

  routes.post('/token', async (c) => {
    const grantType = c.req.query('grant_type');
    if (grantType === 'password') {
      const parsed = await parseCredentials(c);
      if ('error' in parsed) return parsed.error;
      const { email, password } = parsed.credentials;
      const attempt = throttle.begin(email, clientAddressOf(c));
      if (!attempt) return rateLimited('sign_in', 'throttle');
      try {
        const user = await findUserByEmail(db, email);
        // Same answer, and the same scrypt, for an unknown email and a wrong password: no account probing.
        const checked = await hashGate.run(() => verifyPassword(password, user?.encrypted_password ?? UNKNOWN_USER_PASSWORD_HASH));
        if (!checked.ok) {
          attempt.abandoned();
          return rateLimited('sign_in', 'hash_queue');
        }
        if (!user || !checked.value) {
          attempt.failed();
          return authError('invalid_credentials', 'Invalid login credentials.');
        }
        attempt.succeeded();
        // The password was right; a deactivated member still may not sign in.
        const member = await findMemberByUserId(db, user.id);
        if (!member?.is_active) return deactivated();
        const issued = await db.transaction((tx) => openSession(tx, user.id));
        return sessionResponse({ ...user, last_sign_in_at: new Date() }, issued.sessionId, issued.refreshToken);
      } finally {
        attempt.abandoned();
      }
    }
    if (grantType === 'refresh_token') {
      const parsed = refreshSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) return authError('validation_failed', 'A refresh_token is required.');
      const rotation = await db.transaction((tx) => rotateRefreshToken(tx, parsed.data.refresh_token));
      switch (rotation.kind) {
        case 'rotated':
          return sessionResponse(rotation.user, rotation.issued.sessionId, rotation.issued.refreshToken);
        case 'banned':
          return deactivated();
        case 'reused':
          return authError('refresh_token_already_used', 'Invalid Refresh Token: Already Used. The session has been ended; sign in again.');
        case 'unknown':
          return authError('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found.');
        default: {
          const unreachable: never = rotation;
          throw new Error(`unhandled rotation ${String(unreachable)}`);
        }
      }
    }
    return authError('unsupported_grant_type', 'grant_type must be password or refresh_token.');
  });

  routes.get('/user', async (c) => {
    const found = await requireUser(c);
    if ('error' in found) return found.error;
    if (!found.isActiveMember) return deactivated();
    return Response.json(toAuthUser(found.user), { headers: API_VERSION_HEADERS });
  });

  routes.post('/logout', async (c) => {
    const found = await requireUser(c);
    if ('error' in found) return found.error;
    const scope = logoutScopeSchema.safeParse(c.req.query('scope'));
    if (!scope.success) return authError('validation_failed', 'scope must be global, local or others.');
    if (scope.data === 'local') await closeSessions(db, found.user.id, { sessionId: found.sessionId });
    else if (scope.data === 'others') {
      await db.sql`delete from auth.sessions where user_id = ${found.user.id} and id <> ${found.sessionId}`;
    } else await closeSessions(db, found.user.id, 'all');
    return new Response(null, { status: 204 });
  });

  routes.get('/health', () => Response.json({ name: 'dialer-auth', description: 'Supabase Auth compatible subset' }));

  return routes;
}

import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { loadDialerSettings } from '../db/dialer-settings.js';
import { closeSessions, findUserByEmail, findUserBySession, insertUser, openSession, rotateRefreshToken, type UserRow } from '../db/users.js';
import { hashPassword, verifyPassword } from '../auth/password.js';
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
  user_already_exists: 422,
  weak_password: 422,
} as const;
type AuthErrorCode = keyof typeof AUTH_ERRORS;

const MIN_PASSWORD_LENGTH = 8;
// auth-js reads `code` as the error code when the response declares API version 2024-01-01.
const API_VERSION_HEADERS = { 'X-Supabase-Api-Version': '2024-01-01' };

function authError(code: AuthErrorCode, message: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ code, message, ...extra }, { status: AUTH_ERRORS[code], headers: API_VERSION_HEADERS });
}

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  password: z.string().min(1).max(256),
  data: z.record(z.string(), z.unknown()).optional(),
});
const refreshSchema = z.object({ refresh_token: z.string().min(1).max(512) });

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
}

/** `/auth/v1`: the part of Supabase Auth (GoTrue) that supabase-js uses for email and password. */
export function createAuthRoutes({ db, tokens, startInDemoMode }: AuthDeps): Hono {
  const routes = new Hono();

  async function sessionResponse(user: UserRow, sessionId: string, refreshToken: string): Promise<Response> {
    const { token, expiresAt } = await tokens.signAccessToken({ id: user.id, email: user.email, sessionId });
    return Response.json(
      { access_token: token, token_type: 'bearer', expires_in: ACCESS_TOKEN_SECONDS, expires_at: expiresAt, refresh_token: refreshToken, user: toAuthUser(user) },
      { headers: API_VERSION_HEADERS },
    );
  }

  async function parseCredentials(c: Context) {
    const parsed = credentialsSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return { error: authError('validation_failed', 'A valid email address and a password are required.') } as const;
    return { credentials: parsed.data } as const;
  }

  /** The signed-in user behind the request's access token, or the GoTrue error to answer with. */
  async function requireUser(c: Context): Promise<{ user: UserRow; sessionId: string } | { error: Response }> {
    const bearer = readBearerToken(c.req.raw);
    if (!bearer) return { error: authError('no_authorization', 'This endpoint requires a Bearer token.') };
    const claims = await tokens.verify(bearer);
    if (!claims.ok || claims.value.role !== 'authenticated' || !claims.value.sub || !claims.value.session_id) {
      return { error: authError('bad_jwt', `Invalid JWT: ${claims.ok ? 'it is not a user access token.' : claims.error.message}`) };
    }
    const user = await findUserBySession(db, claims.value.sub, claims.value.session_id);
    if (!user) return { error: authError('session_not_found', 'The session of this token has ended: sign in again.') };
    return { user, sessionId: claims.value.session_id };
  }

  routes.post('/signup', async (c) => {
    const parsed = await parseCredentials(c);
    if ('error' in parsed) return parsed.error;
    const { email, password, data } = parsed.credentials;
    if (password.length < MIN_PASSWORD_LENGTH) {
      return authError('weak_password', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`, { weak_password: { reasons: ['length'] } });
    }
    const encrypted = await hashPassword(password);
    const created = await db.transaction(async (tx) => {
      const user = await insertUser(tx, email, encrypted, data ?? {});
      if (!user) return undefined;
      await loadDialerSettings(tx, user.email, startInDemoMode);
      return { user, issued: await openSession(tx, user.id) };
    });
    if (!created) return authError('user_already_exists', 'User already registered.');
    return sessionResponse(created.user, created.issued.sessionId, created.issued.refreshToken);
  });

  routes.post('/token', async (c) => {
    const grantType = c.req.query('grant_type');
    if (grantType === 'password') {
      const parsed = await parseCredentials(c);
      if ('error' in parsed) return parsed.error;
      const user = await findUserByEmail(db, parsed.credentials.email);
      // Same answer for an unknown email and a wrong password: no account probing.
      if (!user || !(await verifyPassword(parsed.credentials.password, user.encrypted_password))) {
        return authError('invalid_credentials', 'Invalid login credentials.');
      }
      const issued = await db.transaction((tx) => openSession(tx, user.id));
      return sessionResponse({ ...user, last_sign_in_at: new Date() }, issued.sessionId, issued.refreshToken);
    }
    if (grantType === 'refresh_token') {
      const parsed = refreshSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) return authError('validation_failed', 'A refresh_token is required.');
      const rotation = await db.transaction((tx) => rotateRefreshToken(tx, parsed.data.refresh_token));
      switch (rotation.kind) {
        case 'rotated':
          return sessionResponse(rotation.user, rotation.issued.sessionId, rotation.issued.refreshToken);
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
    return Response.json(toAuthUser(found.user), { headers: API_VERSION_HEADERS });
  });

  routes.post('/logout', async (c) => {
    const found = await requireUser(c);
    if ('error' in found) return found.error;
    const scope = c.req.query('scope') ?? 'global';
    if (scope === 'local') await closeSessions(db, found.user.id, { sessionId: found.sessionId });
    else if (scope === 'others') {
      await db.sql`delete from auth.sessions where user_id = ${found.user.id} and id <> ${found.sessionId}`;
    } else await closeSessions(db, found.user.id, 'all');
    return new Response(null, { status: 204 });
  });

  routes.get('/health', () => Response.json({ name: 'dialer-auth', description: 'Supabase Auth compatible subset' }));

  return routes;
}

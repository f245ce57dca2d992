import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { fail, ok, type Result } from '../core/errors.js';

export const ACCESS_TOKEN_SECONDS = 3600;
const API_KEY_SECONDS = 10 * 365 * 24 * 3600;
const ISSUER = 'dialer';

export type Role = 'anon' | 'authenticated' | 'service_role';

export interface Claims {
  readonly role: Role;
  readonly sub?: string;
  readonly email?: string;
  readonly session_id?: string;
  readonly exp: number;
  readonly [claim: string]: unknown;
}

/** A signed-in user, as access tokens name them. */
export interface UserIdentity {
  readonly id: string;
  readonly email: string;
  readonly sessionId: string;
}

export interface TokenService {
  /** The public key clients send as `apikey` (a JWT with role anon), as Supabase hands out. */
  readonly anonKey: string;
  /** A key for trusted scripts: acts as any user, bypasses row-level security. */
  readonly serviceRoleKey: string;
  signAccessToken(user: UserIdentity, nowSeconds?: number): Promise<{ token: string; expiresAt: number }>;
  verify(token: string): Promise<Result<Claims>>;
  /**
   * A short-lived token for one purpose (an export link), signed with a key derived from the
   * secret for that purpose alone: it never passes as an access token or API key, nor one of
   * those as it, nor a token of another purpose. `seconds` from `nowSeconds` (default now).
   */
  signLinkToken(purpose: string, claims: Record<string, unknown>, seconds: number, nowSeconds?: number): Promise<string>;
  /** A link token's claims; `unauthorized` when expired, of another purpose, or not ours. */
  verifyLinkToken(purpose: string, token: string): Promise<Result<Record<string, unknown>>>;
}

/** HS256 JWTs with jose, the scheme Supabase uses, so its clients accept our tokens unchanged. */
export async function createTokenService(secret: string): Promise<TokenService> {
  const key = new TextEncoder().encode(secret);
  const sign = (claims: Record<string, unknown>, issuedAt: number, expiresAt: number) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer(ISSUER).setIssuedAt(issuedAt).setExpirationTime(expiresAt).sign(key);
  const now = Math.floor(Date.now() / 1000);
  const anonKey = await sign({ role: 'anon' }, now, now + API_KEY_SECONDS);
  const linkKey = (purpose: string) => new Uint8Array(hkdfSync('sha256', secret, ISSUER, `link token: ${purpose}`, 32));
  const serviceRoleKey = await sign({ role: 'service_role' }, now, now + API_KEY_SECONDS);

  return {
    anonKey,
    serviceRoleKey,
    async signAccessToken(user, nowSeconds = Math.floor(Date.now() / 1000)) {
      const expiresAt = nowSeconds + ACCESS_TOKEN_SECONDS;
      const token = await sign(
        {
          sub: user.id,
          email: user.email,
          role: 'authenticated',
          aud: 'authenticated',
          session_id: user.sessionId,
          aal: 'aal1',
          is_anonymous: false,
          app_metadata: { provider: 'email', providers: ['email'] },
        },
        nowSeconds,
        expiresAt,
      );
      return { token, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER });
        const role = payload['role'];
        if (role !== 'anon' && role !== 'authenticated' && role !== 'service_role') return fail('unauthorized', 'The token has no known role.');
        if (role === 'authenticated' && (typeof payload['email'] !== 'string' || typeof payload.sub !== 'string')) {
          return fail('unauthorized', 'The token names no user.');
        }
        return ok(payload as Claims);
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) return fail('unauthorized', 'The token has expired: sign in again.');
        return fail('unauthorized', 'The token is invalid: its signature or form is wrong.');
      }
    },
    signLinkToken(purpose, claims, seconds, nowSeconds = Math.floor(Date.now() / 1000)) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(purpose)
        .setIssuedAt(nowSeconds)
        .setExpirationTime(nowSeconds + seconds)
        .sign(linkKey(purpose));
    },
    async verifyLinkToken(purpose, token) {
      try {
        const { payload } = await jwtVerify(token, linkKey(purpose), { algorithms: ['HS256'], issuer: ISSUER, audience: purpose });
        return ok(payload);
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) return fail('unauthorized', 'The link has expired: links last a minute; ask for a new one.');
        return fail('unauthorized', 'The link is invalid: its token is not one this server issued for it.');
      }
    },
  };
}

/** The bearer token of a request, if any. */
export function readBearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

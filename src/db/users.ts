import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './database.js';

export interface UserRow {
  id: string;
  email: string;
  encrypted_password: string;
  raw_user_meta_data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  last_sign_in_at: Date | null;
}

export interface IssuedRefreshToken {
  readonly sessionId: string;
  readonly refreshToken: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a user; undefined when the email is taken. */
export async function insertUser(db: Queryable, email: string, encryptedPassword: string, metadata: Record<string, unknown>): Promise<UserRow | undefined> {
  const [row] = await db.sql<UserRow>`
    insert into auth.users (email, encrypted_password, raw_user_meta_data)
    values (${email}, ${encryptedPassword}, ${JSON.stringify(metadata)}::text::jsonb)
    on conflict (email) do nothing
    returning *`;
  return row;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await db.sql<UserRow>`select * from auth.users where email = ${email}`;
  return row;
}

/** The user of a live session, and whether they are an active member of a workspace. */
export async function findUserBySession(db: Queryable, userId: string, sessionId: string): Promise<{ user: UserRow; isActiveMember: boolean } | undefined> {
  const [row] = await db.sql<UserRow & { is_active_member: boolean }>`
    select u.*, coalesce((select m.is_active from workspace_members m where m.user_id = u.id), false) as is_active_member
    from auth.users u join auth.sessions s on s.user_id = u.id
    where u.id = ${userId} and s.id = ${sessionId}`;
  if (!row) return undefined;
  const { is_active_member: isActiveMember, ...user } = row;
  return { user, isActiveMember };
}

/**
 * Ends a deactivated member's sessions for good: every refresh token is revoked with no reuse
 * window, so a refresh while deactivated is refused `user_banned` (and ends its session), and
 * the same token stays dead after a reactivation (it counts as reused).
 */
export async function revokeRefreshTokens(db: Queryable, userId: string): Promise<void> {
  await db.sql`update auth.refresh_tokens set revoked = true, revoked_at = null where user_id = ${userId}`;
}

/** Opens a session and gives it its first refresh token. */
export async function openSession(db: Queryable, userId: string): Promise<IssuedRefreshToken> {
  const [session] = await db.sql<{ id: string }>`insert into auth.sessions (user_id) values (${userId}) returning id`;
  if (!session) throw new Error('session insert returned nothing');
  await db.sql`update auth.users set last_sign_in_at = now() where id = ${userId}`;
  return issueRefreshToken(db, session.id, userId);
}

async function issueRefreshToken(db: Queryable, sessionId: string, userId: string): Promise<IssuedRefreshToken> {
  const refreshToken = randomBytes(32).toString('base64url');
  await db.sql`insert into auth.refresh_tokens (token_hash, session_id, user_id) values (${hashToken(refreshToken)}, ${sessionId}, ${userId})`;
  return { sessionId, refreshToken };
}

export type RotationResult =
  | { kind: 'rotated'; user: UserRow; issued: IssuedRefreshToken }
  | { kind: 'unknown' }
  | { kind: 'reused' }
  /** The user's membership is deactivated (or gone): the session is ended. */
  | { kind: 'banned' };

/**
 * How long a used refresh token may be used again: GoTrue's default
 * (GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL). Two tabs of one session refresh at once
 * with the same token; the second must keep the session, not end it.
 */
export const REFRESH_TOKEN_REUSE_INTERVAL_SECONDS = 10;

/**
 * Trades a refresh token for a new one (rotation). A token is good once: a use after the reuse
 * interval means it leaked, so the whole session is ended, as Supabase Auth does. Within the
 * interval a used token gets another fresh token of the same session (GoTrue answers with the
 * session's current token; we keep only hashes, so we cannot).
 */
export async function rotateRefreshToken(db: Queryable, refreshToken: string): Promise<RotationResult> {
  const tokenHash = hashToken(refreshToken);
  // `for update` makes a concurrent use of the same token wait and then see it used.
  const [token] = await db.sql<{ session_id: string; user_id: string; revoked: boolean; is_reusable: boolean }>`
    select session_id, user_id, revoked,
           coalesce(revoked_at > now() - make_interval(secs => ${REFRESH_TOKEN_REUSE_INTERVAL_SECONDS}), false) as is_reusable
    from auth.refresh_tokens where token_hash = ${tokenHash} for update`;
  if (!token) return { kind: 'unknown' };
  const [found] = await db.sql<UserRow & { is_active_member: boolean }>`
    select u.*, coalesce((select m.is_active from workspace_members m where m.user_id = u.id), false) as is_active_member
    from auth.users u where u.id = ${token.user_id}`;
  if (!found) return { kind: 'unknown' };
  const { is_active_member: isActiveMember, ...user } = found;
  // A deactivated member's session ends at its next refresh, which says why (user_banned).
  if (!isActiveMember) {
    await db.sql`delete from auth.sessions where id = ${token.session_id}`;
    return { kind: 'banned' };
  }
  if (token.revoked && !token.is_reusable) {
    await db.sql`delete from auth.sessions where id = ${token.session_id}`;
    return { kind: 'reused' };
  }
  if (!token.revoked) await db.sql`update auth.refresh_tokens set revoked = true, revoked_at = now() where token_hash = ${tokenHash}`;
  return { kind: 'rotated', user, issued: await issueRefreshToken(db, token.session_id, token.user_id) };
}

export async function closeSessions(db: Queryable, userId: string, scope: { sessionId: string } | 'all'): Promise<void> {
  if (scope === 'all') await db.sql`delete from auth.sessions where user_id = ${userId}`;
  else await db.sql`delete from auth.sessions where id = ${scope.sessionId} and user_id = ${userId}`;
}

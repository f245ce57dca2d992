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

export async function findUserBySession(db: Queryable, userId: string, sessionId: string): Promise<UserRow | undefined> {
  const [row] = await db.sql<UserRow>`
    select u.* from auth.users u join auth.sessions s on s.user_id = u.id
    where u.id = ${userId} and s.id = ${sessionId}`;
  return row;
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
  | { kind: 'reused' };

/**
 * Trades a refresh token for a new one (rotation). A token is good once: a second use means
 * it leaked, so the whole session is ended, as Supabase Auth does.
 */
export async function rotateRefreshToken(db: Queryable, refreshToken: string): Promise<RotationResult> {
  const [token] = await db.sql<{ session_id: string; user_id: string; revoked: boolean }>`
    select session_id, user_id, revoked from auth.refresh_tokens where token_hash = ${hashToken(refreshToken)} for update`;
  if (!token) return { kind: 'unknown' };
  if (token.revoked) {
    await db.sql`delete from auth.sessions where id = ${token.session_id}`;
    return { kind: 'reused' };
  }
  await db.sql`update auth.refresh_tokens set revoked = true where token_hash = ${hashToken(refreshToken)}`;
  const [user] = await db.sql<UserRow>`select * from auth.users where id = ${token.user_id}`;
  if (!user) return { kind: 'unknown' };
  return { kind: 'rotated', user, issued: await issueRefreshToken(db, token.session_id, token.user_id) };
}

export async function closeSessions(db: Queryable, userId: string, scope: { sessionId: string } | 'all'): Promise<void> {
  if (scope === 'all') await db.sql`delete from auth.sessions where user_id = ${userId}`;
  else await db.sql`delete from auth.sessions where id = ${scope.sessionId} and user_id = ${userId}`;
}

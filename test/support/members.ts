import type { Queryable } from '../../src/db/database.js';
import { createWorkspace, insertMember, type MemberRow } from '../../src/db/workspaces.js';
import type { Role } from '../../src/core/workspace.js';

let memberCounter = 0;

export interface AddMemberOptions {
  /** Join this workspace; without it the member gets a new workspace of their own. */
  readonly workspaceId?: string;
  /** `admin` by default (the first member of a workspace administers it). */
  readonly role?: Role;
  /** false: a deactivated member. */
  readonly isActive?: boolean;
}

/**
 * An account and its membership written straight to the database, for tests that seed rows by
 * SQL: every product row belongs to its owner's workspace, and a row for an email with no
 * member is refused. The account has no usable password (sign in through `signUp` for that).
 */
export async function addMember(db: Queryable, email?: string, options: AddMemberOptions = {}): Promise<MemberRow> {
  const address = (email ?? `member-${process.pid}-${++memberCounter}-${Date.now()}@example.com`).toLowerCase();
  const [user] = await db.sql<{ id: string }>`
    insert into auth.users (email, encrypted_password) values (${address}, 'no-password') returning id`;
  if (!user) throw new Error('user insert returned nothing');
  const workspaceId = options.workspaceId ?? (await createWorkspace(db, address)).id;
  const member = await insertMember(db, { userId: user.id, email: address, workspaceId, role: options.role ?? 'admin' });
  if (options.isActive === false) {
    const [deactivated] = await db.sql<MemberRow>`
      update workspace_members set is_active = false, deactivated_at = now() where user_id = ${user.id} returning *`;
    if (!deactivated) throw new Error('member vanished');
    return deactivated;
  }
  return member;
}

/** The member with this email, added (as the admin of a workspace of their own) if there is none yet. */
export async function ensureMember(db: Queryable, email: string, options: AddMemberOptions = {}): Promise<MemberRow> {
  const [existing] = await db.sql<MemberRow>`select * from workspace_members where user_email = ${email.toLowerCase()}`;
  return existing ?? addMember(db, email, options);
}

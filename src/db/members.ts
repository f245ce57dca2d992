import { fail, ok, type Result } from '../core/errors.js';
import type { Role } from '../core/workspace.js';
import type { Database } from './database.js';
import { revokeRefreshTokens } from './users.js';
import { lockMembers, recordAudit, type MemberRow } from './workspaces.js';

export type MemberChange = { readonly kind: 'role'; readonly role: Role } | { readonly kind: 'active'; readonly isActive: boolean };

export interface MemberChangeInput {
  readonly workspaceId: string;
  /** The admin making the change. */
  readonly actorEmail: string;
  readonly userId: string;
  readonly change: MemberChange;
}

/**
 * Changes a member's role or deactivates/reactivates them, with its audit row, in one
 * transaction that holds every member row of the workspace: two admins demoting each other at
 * once run one after the other, and the second is refused `last_admin`. A member of another
 * workspace is `not_found`. Deactivation revokes every refresh token of the member (a refresh is
 * refused `user_banned` and ends its session); the access tokens they hold are refused by
 * functions and RLS, which read the membership on each use. A change to what the member
 * already is writes nothing.
 */
export async function changeMember(db: Database, input: MemberChangeInput): Promise<Result<MemberRow>> {
  return db.transaction(async (tx) => {
    const members = await lockMembers(tx, input.workspaceId);
    const target = members.find((member) => member.user_id === input.userId);
    if (!target) return fail('not_found', 'No member of your workspace has that userId.');
    const { change } = input;
    const after = change.kind === 'role' ? { ...target, role: change.role } : { ...target, is_active: change.isActive };
    if (after.role === target.role && after.is_active === target.is_active) return ok(target);
    const isActiveAdmin = (member: Pick<MemberRow, 'role' | 'is_active'>) => member.role === 'admin' && member.is_active;
    const hasAdminLeft = members.some((member) => isActiveAdmin(member.user_id === target.user_id ? after : member));
    if (!hasAdminLeft) {
      return fail('last_admin', 'This would leave the workspace without an active admin: make another member an admin first.');
    }
    const [updated] =
      change.kind === 'role'
        ? await tx.sql<MemberRow>`update workspace_members set role = ${change.role}, updated_at = now() where user_id = ${target.user_id} returning *`
        : await tx.sql<MemberRow>`
            update workspace_members set is_active = ${change.isActive},
              deactivated_at = case when ${change.isActive}::boolean then null else now() end, updated_at = now()
            where user_id = ${target.user_id} returning *`;
    if (!updated) throw new Error(`member ${target.user_id} vanished under its lock`);
    if (change.kind === 'active' && !change.isActive) await revokeRefreshTokens(tx, target.user_id);
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorEmail: input.actorEmail,
      action: change.kind === 'role' ? 'member.role_changed' : change.isActive ? 'member.reactivated' : 'member.deactivated',
      target: target.user_email,
      details: change.kind === 'role' ? { userId: target.user_id, from: target.role, to: change.role } : { userId: target.user_id, role: target.role },
    });
    return ok(updated);
  });
}

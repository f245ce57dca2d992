import { createHash, randomBytes } from 'node:crypto';
import { fail, ok, type Result } from '../core/errors.js';
import type { InvitationProblem, Role } from '../core/workspace.js';
import type { Database, Queryable } from './database.js';
import { recordAudit } from './workspaces.js';

export interface InvitationRow {
  id: string;
  workspace_id: string;
  /** The admin who invited. */
  user_email: string | null;
  invitee_email: string | null;
  role: Role;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
  created_at: Date;
}

/** Only a hash of the token is stored: a leaked table signs nobody up. */
export const hashInvitationToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface NewInvitation {
  readonly workspaceId: string;
  readonly inviterEmail: string;
  readonly role: Role;
  readonly inviteeEmail: string | null;
  readonly expiresInHours: number;
}

/** Creates an invitation and its audit row; the token is returned once and never stored. */
export async function createInvitation(db: Database, input: NewInvitation): Promise<{ invitation: InvitationRow; token: string }> {
  const token = randomBytes(32).toString('base64url');
  return db.transaction(async (tx) => {
    const [invitation] = await tx.sql<InvitationRow>`
      insert into workspace_invitations (workspace_id, user_email, invitee_email, role, token_hash, expires_at)
      values (${input.workspaceId}, ${input.inviterEmail}, ${input.inviteeEmail}, ${input.role}, ${hashInvitationToken(token)},
        now() + make_interval(hours => ${input.expiresInHours}))
      returning id, workspace_id, user_email, invitee_email, role, expires_at, accepted_at, accepted_by, revoked_at, created_at`;
    if (!invitation) throw new Error('invitation insert returned nothing');
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorEmail: input.inviterEmail,
      action: 'invitation.created',
      target: invitation.id,
      details: { role: input.role, inviteeEmail: input.inviteeEmail, expiresAt: invitation.expires_at.toISOString() },
    });
    return { invitation, token };
  });
}

/**
 * Revokes an invitation of the admin's workspace. One of another workspace is `not_found`, as
 * if it did not exist; a used one cannot be revoked (`invitation_used`); revoking twice is a no-op.
 */
export async function revokeInvitation(db: Database, input: { workspaceId: string; actorEmail: string; invitationId: string }): Promise<Result<InvitationRow>> {
  return db.transaction(async (tx) => {
    const [found] = await tx.sql<InvitationRow>`
      select id, workspace_id, user_email, invitee_email, role, expires_at, accepted_at, accepted_by, revoked_at, created_at
      from workspace_invitations where id = ${input.invitationId} and workspace_id = ${input.workspaceId} for update`;
    if (!found) return fail('not_found', 'No invitation of your workspace has that id.');
    if (found.accepted_at) return fail('invitation_used', 'This invitation was already used; deactivate the member instead.');
    if (found.revoked_at) return ok(found);
    const [revoked] = await tx.sql<InvitationRow>`
      update workspace_invitations set revoked_at = now() where id = ${found.id}
      returning id, workspace_id, user_email, invitee_email, role, expires_at, accepted_at, accepted_by, revoked_at, created_at`;
    if (!revoked) throw new Error(`invitation ${found.id} vanished under its lock`);
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorEmail: input.actorEmail,
      action: 'invitation.revoked',
      target: found.id,
      details: { role: found.role, inviteeEmail: found.invitee_email },
    });
    return ok(revoked);
  });
}

export type UsableInvitation = { kind: 'usable'; invitation: InvitationRow } | { kind: 'refused'; problem: InvitationProblem };

/**
 * Reads and locks the invitation a sign-up presents, and says whether it may be used by this
 * email. Under the lock, two sign-ups with one token run one after the other: the second sees
 * it used. An invitation stands only while the admin who made it is still an active admin of
 * its workspace: one deactivated or demoted since has their links count as revoked, so a link
 * they kept cannot bring them (or anyone) back in.
 */
export async function lockInvitationForSignUp(tx: Queryable, token: string, email: string): Promise<UsableInvitation> {
  const [found] = await tx.sql<InvitationRow & { is_expired: boolean; is_inviter_admin: boolean }>`
    select i.id, i.workspace_id, i.user_email, i.invitee_email, i.role, i.expires_at, i.accepted_at, i.accepted_by, i.revoked_at, i.created_at,
      i.expires_at <= now() as is_expired,
      exists (select 1 from workspace_members m
        where m.user_email = i.user_email and m.workspace_id = i.workspace_id and m.is_active and m.role = 'admin') as is_inviter_admin
    from workspace_invitations i where i.token_hash = ${hashInvitationToken(token)} for update of i`;
  if (!found) return { kind: 'refused', problem: 'unknown' };
  const { is_expired: isExpired, is_inviter_admin: isInviterAdmin, ...invitation } = found;
  if (invitation.revoked_at) return { kind: 'refused', problem: 'revoked' };
  if (invitation.accepted_at) return { kind: 'refused', problem: 'already_used' };
  if (!isInviterAdmin) return { kind: 'refused', problem: 'revoked' };
  if (isExpired) return { kind: 'refused', problem: 'expired' };
  if (invitation.invitee_email !== null && invitation.invitee_email !== email) return { kind: 'refused', problem: 'other_email' };
  return { kind: 'usable', invitation };
}

/** Marks a locked, usable invitation used by the user it signed up, with its audit row. */
export async function acceptInvitation(tx: Queryable, invitation: InvitationRow, user: { id: string; email: string }): Promise<void> {
  await tx.sql`update workspace_invitations set accepted_at = now(), accepted_by = ${user.id} where id = ${invitation.id}`;
  await recordAudit(tx, {
    workspaceId: invitation.workspace_id,
    actorEmail: user.email,
    action: 'invitation.accepted',
    target: invitation.id,
    details: { role: invitation.role, invitedBy: invitation.user_email, userId: user.id },
  });
}

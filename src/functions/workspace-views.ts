import type { InvitationRow } from '../db/invitations.js';
import type { RepStateRow } from '../db/rep-states.js';
import type { MemberRow, WorkspaceRow } from '../db/workspaces.js';

/** The shapes the workspace functions answer with (camelCase, ISO timestamps). */
export const toWorkspaceView = (workspace: WorkspaceRow) => ({ id: workspace.id, name: workspace.name, defaultCountry: workspace.default_country });

export const toMemberView = (member: MemberRow) => ({
  userId: member.user_id,
  userEmail: member.user_email,
  role: member.role,
  isActive: member.is_active,
  deactivatedAt: member.deactivated_at?.toISOString() ?? null,
});

export const toInvitationView = (invitation: InvitationRow) => ({
  id: invitation.id,
  role: invitation.role,
  inviteeEmail: invitation.invitee_email,
  expiresAt: invitation.expires_at.toISOString(),
  createdAt: invitation.created_at.toISOString(),
  acceptedAt: invitation.accepted_at?.toISOString() ?? null,
  revokedAt: invitation.revoked_at?.toISOString() ?? null,
});

export const toRepStateView = (row: RepStateRow) => ({
  userEmail: row.user_email,
  state: row.state,
  liveLines: row.live_lines,
  stateSince: row.state_since.toISOString(),
  isAway: row.is_away,
  isWrapUp: row.is_wrap_up,
});

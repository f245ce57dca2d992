/** A member's role in their workspace (db/migrations/0011_workspaces.sql checks the same words). */
export const ROLES = ['admin', 'manager', 'rep'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that see every row of their workspace; a rep sees their own rows only. */
export const WORKSPACE_WIDE_ROLES: readonly Role[] = ['admin', 'manager'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function seesWholeWorkspace(role: Role): boolean {
  return WORKSPACE_WIDE_ROLES.includes(role);
}

/** What the floor shows for a member; derived in SQL by dialer_sync_rep_state. */
export const REP_STATES = ['offline', 'available', 'on_call', 'wrap_up', 'away'] as const;
export type RepState = (typeof REP_STATES)[number];

/** The states a rep sets themselves (setRepState); the others follow from calls and presence. */
export const SETTABLE_REP_STATES = ['available', 'away'] as const;
export type SettableRepState = (typeof SETTABLE_REP_STATES)[number];

/** What audit_log.action records. */
export const AUDIT_ACTIONS = [
  'invitation.created',
  'invitation.revoked',
  'invitation.accepted',
  'member.role_changed',
  'member.deactivated',
  'member.reactivated',
  'call.ended_by_manager',
  // Lead lists (issue 12): a workspace's settings, a list archived, leads reassigned or deleted in bulk.
  'workspace.settings_changed',
  'lead_list.archived',
  'leads.assigned',
  'leads.deleted',
  // Compliance (issue 13): a number taken off the workspace's do-not-call list, with why.
  'do_not_call.removed',
  // Compliance (issue 13): the workspace's calling window, caps and consent settings; a region's calling-hours rule set or removed.
  'compliance.settings_changed',
  'calling_hour_rule.set',
  'calling_hour_rule.deleted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** How long an invitation lasts unless its admin says otherwise, and the longest it may. */
export const DEFAULT_INVITATION_HOURS = 168;
export const MAX_INVITATION_HOURS = 720;

/** Why an invitation cannot be used, in the order sign-up checks them. */
export const INVITATION_PROBLEMS = ['unknown', 'revoked', 'already_used', 'expired', 'other_email'] as const;
export type InvitationProblem = (typeof INVITATION_PROBLEMS)[number];

export const INVITATION_PROBLEM_MESSAGES: Readonly<Record<InvitationProblem, string>> = {
  unknown: 'This invitation link is not valid (unknown token): ask your admin for a new one.',
  revoked: 'This invitation was revoked: ask your admin for a new one.',
  already_used: 'This invitation was already used: each link signs up one person. Ask your admin for a new one.',
  expired: 'This invitation has expired: ask your admin for a new one.',
  other_email: 'This invitation is for another email address: sign up with the address it was sent to.',
};

/** The page of the web app that opens sign-up with an invitation. */
export function invitationAcceptPath(token: string): string {
  return `/join?token=${encodeURIComponent(token)}`;
}

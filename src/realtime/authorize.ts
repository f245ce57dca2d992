import { seesWholeWorkspace } from '../core/workspace.js';
import type { Row } from '../db/database.js';
import type { Membership } from './membership.js';

/** Who a realtime subscription acts as, from its access token. */
export type Viewer = { readonly role: 'anon' } | { readonly role: 'authenticated'; readonly email: string } | { readonly role: 'service_role' };

/** A member's membership by email, as the room's membership cache knows it. */
export type MembershipLookup = (email: string) => Membership | undefined;

/**
 * WS1 for realtime: whether the viewer could read this row through REST, decided from the
 * membership cache with the rule the row-level security policies of migration 0011 state:
 * an active member sees the rows of their workspace that are theirs (`user_email`), an admin
 * or a manager every row of their workspace; a deactivated member or a non-member sees
 * nothing; the service role reads everything and anon nothing. The same rule holds for every
 * realtime table (workspace_members and rep_states included). A seeded property test checks
 * it agrees with the database's own answer for every role, table and row.
 */
export function canViewRow(viewer: Viewer, row: Row | null, memberOf: MembershipLookup): boolean {
  if (!row) return false;
  switch (viewer.role) {
    case 'service_role':
      return true;
    case 'authenticated': {
      const member = memberOf(viewer.email);
      if (!member?.isActive || row['workspace_id'] !== member.workspaceId) return false;
      return row['user_email'] === viewer.email || seesWholeWorkspace(member.role);
    }
    case 'anon':
      return false;
    default: {
      const unreachable: never = viewer;
      throw new Error(`unknown viewer ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The owner a row is delivered to, so the room can look subscribers up by user. */
export function ownerOf(row: Row | null): string | undefined {
  const owner = row?.['user_email'];
  return typeof owner === 'string' ? owner : undefined;
}

/** The workspace a row belongs to, so the room can look up the channels of its admins and managers. */
export function workspaceOf(row: Row | null): string | undefined {
  const workspace = row?.['workspace_id'];
  return typeof workspace === 'string' ? workspace : undefined;
}

/** The workspace whose every row this viewer's channels are sent, if any (an active admin or manager). */
export function watchedWorkspace(member: Membership | undefined): string | undefined {
  return member?.isActive && seesWholeWorkspace(member.role) ? member.workspaceId : undefined;
}

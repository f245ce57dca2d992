import type { Database, Row } from '../db/database.js';
import { isRole, type Role } from '../core/workspace.js';

/** What realtime knows of a member to decide what they see (workspace_members, migration 0011). */
export interface Membership {
  readonly workspaceId: string;
  readonly role: Role;
  readonly isActive: boolean;
}

/** A membership as it was before and after one change of workspace_members; `undefined` is no member. */
export interface MembershipChange {
  readonly email: string;
  readonly before: Membership | undefined;
  readonly after: Membership | undefined;
}

/**
 * Every member's membership, by email, in memory: loaded once at start and kept current from the
 * change feed's own workspace_members changes, so deciding who sees a change costs no query.
 */
export interface MembershipCache {
  get(email: string): Membership | undefined;
  /** Replaces everything with a snapshot; returns the members whose membership differs. */
  replaceAll(rows: readonly Row[]): MembershipChange[];
  /** Applies one committed change of workspace_members; returns what changed (nothing for another table). */
  apply(type: 'INSERT' | 'UPDATE' | 'DELETE', record: Row | null, oldRecord: Row | null): MembershipChange[];
  readonly size: () => number;
}

/** A workspace_members row (as to_jsonb or a driver gives it) as a membership; undefined if it is not one. */
export function readMembership(row: Row | null | undefined): { email: string; membership: Membership } | undefined {
  if (!row) return undefined;
  const { user_email: email, workspace_id: workspaceId, role, is_active: isActive } = row;
  if (typeof email !== 'string' || typeof workspaceId !== 'string' || !isRole(role) || typeof isActive !== 'boolean') return undefined;
  return { email, membership: { workspaceId, role, isActive } };
}

function isSameMembership(a: Membership | undefined, b: Membership | undefined): boolean {
  return a?.workspaceId === b?.workspaceId && a?.role === b?.role && a?.isActive === b?.isActive;
}

export function createMembershipCache(): MembershipCache {
  let members = new Map<string, Membership>();

  function set(email: string, after: Membership | undefined): MembershipChange[] {
    const before = members.get(email);
    if (after) members.set(email, after);
    else members.delete(email);
    return isSameMembership(before, after) ? [] : [{ email, before, after }];
  }

  return {
    get: (email) => members.get(email),
    replaceAll(rows) {
      const previous = members;
      members = new Map();
      for (const row of rows) {
        const read = readMembership(row);
        if (read) members.set(read.email, read.membership);
      }
      const emails = new Set([...previous.keys(), ...members.keys()]);
      return [...emails]
        .filter((email) => !isSameMembership(previous.get(email), members.get(email)))
        .map((email) => ({ email, before: previous.get(email), after: members.get(email) }));
    },
    apply(type, record, oldRecord) {
      const after = type === 'DELETE' ? undefined : readMembership(record);
      const beforeEmail = type === 'INSERT' ? undefined : oldRecord?.['user_email'];
      const changes: MembershipChange[] = [];
      // A member removed, or whose email changed, is gone under the old email.
      if (typeof beforeEmail === 'string' && beforeEmail !== after?.email) changes.push(...set(beforeEmail, undefined));
      if (after) changes.push(...set(after.email, after.membership));
      return changes;
    },
    size: () => members.size,
  };
}

/** Every membership, read at start and after the change feed restarts. */
export async function loadMemberships(db: Database): Promise<Row[]> {
  return db.sql<Row>`select user_email, workspace_id::text as workspace_id, role, is_active from workspace_members`;
}

import { seesWholeWorkspace, type AuditAction, type Role } from '../core/workspace.js';
import type { ActiveCallRow } from './active-calls.js';
import type { Queryable } from './database.js';

export interface WorkspaceRow {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2: the country a number without `+` is read in (imports may choose another). */
  default_country: string;
  created_at: Date;
}

export interface MemberRow {
  user_id: string;
  user_email: string;
  workspace_id: string;
  role: Role;
  is_active: boolean;
  deactivated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Any fixed number: the advisory lock under which the first account of an install is made. */
const FIRST_ACCOUNT_LOCK_KEY = 7_311_011;

/**
 * Takes the lock that makes "the first account creates the workspace" race-safe: two first
 * sign-ups at once run one after the other, and the second sees the first's member.
 */
export async function lockFirstAccount(tx: Queryable): Promise<void> {
  await tx.sql`select pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK_KEY})`;
}

export async function hasAnyMember(db: Queryable): Promise<boolean> {
  const [row] = await db.sql<{ is_any: boolean }>`select exists (select 1 from workspace_members) as is_any`;
  return row?.is_any ?? false;
}

/** A new workspace, named after its first admin ("ada's workspace"). */
export async function createWorkspace(tx: Queryable, ownerEmail: string): Promise<WorkspaceRow> {
  const name = `${ownerEmail.split('@')[0] ?? ownerEmail}'s workspace`.slice(0, 200);
  const [row] = await tx.sql<WorkspaceRow>`insert into workspaces (name) values (${name}) returning *`;
  if (!row) throw new Error('workspace insert returned nothing');
  return row;
}

/** Makes a user a member, with their rep state (offline until a client of theirs connects). */
export async function insertMember(tx: Queryable, member: { userId: string; email: string; workspaceId: string; role: Role }): Promise<MemberRow> {
  const [row] = await tx.sql<MemberRow>`
    insert into workspace_members (user_id, user_email, workspace_id, role)
    values (${member.userId}, ${member.email}, ${member.workspaceId}, ${member.role})
    returning *`;
  if (!row) throw new Error('member insert returned nothing');
  await tx.sql`insert into rep_states (user_email, workspace_id) values (${member.email}, ${member.workspaceId})`;
  return row;
}

export async function findMemberByUserId(db: Queryable, userId: string): Promise<MemberRow | undefined> {
  const [row] = await db.sql<MemberRow>`select * from workspace_members where user_id = ${userId}`;
  return row;
}

export async function findWorkspace(db: Queryable, workspaceId: string): Promise<WorkspaceRow | undefined> {
  const [row] = await db.sql<WorkspaceRow>`select * from workspaces where id = ${workspaceId}`;
  return row;
}

/**
 * Locks every member row of a workspace (in one order, so two admins cannot deadlock) and
 * returns them: a role change or deactivation decided under this lock cannot race another into
 * leaving the workspace without an active admin.
 */
export async function lockMembers(tx: Queryable, workspaceId: string): Promise<MemberRow[]> {
  return tx.sql<MemberRow>`select * from workspace_members where workspace_id = ${workspaceId} order by user_id for update`;
}

export interface AuditEntry {
  readonly workspaceId: string;
  /** Who acted. */
  readonly actorEmail: string;
  readonly action: AuditAction;
  readonly target: string | null;
  readonly details: Record<string, unknown>;
}

/** Records who did what to whom; written in the transaction of the change it records. */
export async function recordAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  await tx.sql`
    insert into audit_log (workspace_id, user_email, action, target, details)
    values (${entry.workspaceId}, ${entry.actorEmail}, ${entry.action}, ${entry.target}, ${JSON.stringify(entry.details)}::text::jsonb)`;
}

/**
 * A call the member may see by the visibility rule (their own, or any of their workspace for
 * an admin or manager); undefined otherwise, so another workspace's call looks like no call.
 */
export async function findVisibleCall(db: Queryable, callId: string, viewer: { email: string; workspaceId: string; role: Role }): Promise<ActiveCallRow | undefined> {
  const [row] = await db.sql<ActiveCallRow>`
    select * from active_calls
    where id = ${callId} and workspace_id = ${viewer.workspaceId} and (user_email = ${viewer.email} or ${seesWholeWorkspace(viewer.role)}::boolean)`;
  return row;
}

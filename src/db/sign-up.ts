import type { InvitationProblem } from '../core/workspace.js';
import type { Database } from './database.js';
import { loadDialerSettings } from './dialer-settings.js';
import { acceptInvitation, lockInvitationForSignUp, type InvitationRow } from './invitations.js';
import { insertUser, openSession, type IssuedRefreshToken, type UserRow } from './users.js';
import { createWorkspace, hasAnyMember, insertMember, lockFirstAccount, type MemberRow } from './workspaces.js';

export interface SignUpInput {
  readonly email: string;
  readonly encryptedPassword: string;
  readonly metadata: Record<string, unknown>;
  /** The token of an invitation link; never stored, only its hash is looked up. */
  readonly invitationToken: string | undefined;
  /** OPEN_SIGNUP: an uninvited sign-up creates a workspace of its own. */
  readonly openSignup: boolean;
  readonly startInDemoMode: boolean;
}

export type SignUpResult =
  | { kind: 'signed_up'; user: UserRow; member: MemberRow; issued: IssuedRefreshToken }
  | { kind: 'user_already_exists' }
  | { kind: 'signup_disabled' }
  | { kind: 'invitation_invalid'; problem: InvitationProblem };

/**
 * Whether an uninvited sign-up may create a workspace: always with OPEN_SIGNUP, otherwise only
 * the first account of the install. A quick answer before the password is hashed; `signUp`
 * decides again under the lock.
 */
export async function mayCreateWorkspace(db: Database, openSignup: boolean): Promise<boolean> {
  return openSignup || !(await hasAnyMember(db));
}

/**
 * A new account and its place: the user, their membership (a new workspace they administer, or
 * the invitation's workspace and role), their rep state, settings and first session, in ONE
 * transaction. Every refusal is decided before the first write, and anything that fails later
 * rolls the whole sign-up back: a refused or failed sign-up writes nothing.
 */
export async function signUp(db: Database, input: SignUpInput): Promise<SignUpResult> {
  return db.transaction(async (tx): Promise<SignUpResult> => {
    let place: { kind: 'invited'; invitation: InvitationRow } | { kind: 'new_workspace' };
    if (input.invitationToken !== undefined) {
      const found = await lockInvitationForSignUp(tx, input.invitationToken, input.email);
      if (found.kind === 'refused') return { kind: 'invitation_invalid', problem: found.problem };
      place = { kind: 'invited', invitation: found.invitation };
    } else {
      await lockFirstAccount(tx);
      if (!input.openSignup && (await hasAnyMember(tx))) return { kind: 'signup_disabled' };
      place = { kind: 'new_workspace' };
    }
    const user = await insertUser(tx, input.email, input.encryptedPassword, input.metadata);
    if (!user) return { kind: 'user_already_exists' };
    let member: MemberRow;
    if (place.kind === 'invited') {
      member = await insertMember(tx, { userId: user.id, email: user.email, workspaceId: place.invitation.workspace_id, role: place.invitation.role });
      await acceptInvitation(tx, place.invitation, user);
    } else {
      const workspace = await createWorkspace(tx, user.email);
      member = await insertMember(tx, { userId: user.id, email: user.email, workspaceId: workspace.id, role: 'admin' });
    }
    await loadDialerSettings(tx, user.email, input.startInDemoMode);
    return { kind: 'signed_up', user, member, issued: await openSession(tx, user.id) };
  });
}

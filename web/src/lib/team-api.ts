import type { SupabaseClient } from '@supabase/supabase-js';
import { isRole, REP_STATES, ROLES, seesWholeWorkspace, type RepState as RepStateName, type Role, type SettableRepState } from '../../../src/core/workspace.js';
import { invokeFunction, type FunctionResult } from './invoke-function.js';

export { isRole, REP_STATES, ROLES, type RepStateName, type Role };

/** Managers and admins see the whole workspace; a rep sees their own rows (null: not known yet). */
export const seesWorkspace = (role: Role | null) => role !== null && seesWholeWorkspace(role);

export interface WorkspaceInfo {
  readonly workspace: { readonly id: string; readonly name: string; readonly defaultCountry?: string };
  readonly member: { readonly userId: string; readonly userEmail: string; readonly role: Role; readonly isActive: boolean };
}

/** A member as REST reads `workspace_members`. */
export interface MemberRow {
  readonly user_id: string;
  readonly user_email: string;
  readonly workspace_id: string;
  readonly role: Role;
  readonly is_active: boolean;
  readonly deactivated_at: string | null;
  readonly created_at: string;
}

/** A member's state as REST and realtime read `rep_states`. */
export interface RepStateRow {
  readonly user_email: string;
  readonly workspace_id: string;
  readonly state: RepStateName;
  readonly live_lines: number;
  readonly state_since: string;
  readonly is_away: boolean;
  readonly is_wrap_up: boolean;
  readonly updated_at: string;
}

export interface InvitationRow {
  readonly id: string;
  readonly user_email: string | null;
  readonly invitee_email: string | null;
  readonly role: Role;
  readonly expires_at: string;
  readonly accepted_at: string | null;
  readonly revoked_at: string | null;
  readonly created_at: string;
}

export interface AuditRow {
  readonly id: number;
  readonly user_email: string;
  readonly action: string;
  readonly target: string | null;
  readonly details: Record<string, unknown>;
  readonly created_at: string;
}

export interface CreatedInvitation {
  readonly invitation: { readonly id: string; readonly role: Role; readonly inviteeEmail: string | null; readonly expiresAt: string };
  readonly token: string;
  readonly acceptPath: string;
}

export const getWorkspace = (supabase: SupabaseClient) => invokeFunction<WorkspaceInfo>(supabase, 'getWorkspace', {});

export function createInvitation(
  supabase: SupabaseClient,
  request: { role: Role; inviteeEmail?: string | undefined; expiresInHours: number },
): Promise<FunctionResult<CreatedInvitation>> {
  const { inviteeEmail, ...rest } = request;
  return invokeFunction(supabase, 'createInvitation', { ...rest, ...(inviteeEmail ? { inviteeEmail } : {}) });
}

export const revokeInvitation = (supabase: SupabaseClient, invitationId: string) => invokeFunction<unknown>(supabase, 'revokeInvitation', { invitationId });
export const setMemberRole = (supabase: SupabaseClient, userId: string, role: Role) => invokeFunction<unknown>(supabase, 'setMemberRole', { userId, role });
export const setMemberActive = (supabase: SupabaseClient, userId: string, isActive: boolean) =>
  invokeFunction<unknown>(supabase, 'setMemberActive', { userId, isActive });
/** A member's state as the functions send it (camelCase, unlike the `rep_states` row). */
export interface RepStateView {
  readonly userEmail: string;
  readonly state: RepStateName;
  readonly liveLines: number;
  readonly stateSince: string;
  readonly isAway: boolean;
  readonly isWrapUp: boolean;
}

export const setRepState = (supabase: SupabaseClient, state: SettableRepState) => invokeFunction<{ repState: RepStateView }>(supabase, 'setRepState', { state });
export const endRepCall = (supabase: SupabaseClient, callId: string) => invokeFunction<unknown>(supabase, 'endRepCall', { callId });

import { z } from 'zod';
import { appErrorResponse } from '../api/http.js';
import { ROLES } from '../core/workspace.js';
import { changeMember, type MemberChange } from '../db/members.js';
import type { Caller } from './caller.js';
import { requireAdmin } from './caller.js';
import { parseBody, type FunctionContext, type FunctionHandler } from './context.js';
import { toMemberView } from './workspace-views.js';

const setMemberRoleSchema = z.object({ userId: z.uuid('userId must be a member id'), role: z.enum(ROLES, `role is one of ${ROLES.join(', ')}`) }).strict();
const setMemberActiveSchema = z.object({ userId: z.uuid('userId must be a member id'), isActive: z.boolean('isActive is true or false') }).strict();

async function applyChange(caller: Caller, { db }: FunctionContext, userId: string, change: MemberChange): Promise<Response> {
  const admin = requireAdmin(caller);
  if (!admin.ok) return appErrorResponse(admin.error);
  const changed = await changeMember(db, { workspaceId: admin.value.workspaceId, actorEmail: admin.value.email, userId, change });
  if (!changed.ok) return appErrorResponse(changed.error);
  return Response.json({ member: toMemberView(changed.value) });
}

/** `setMemberRole {userId, role}` (admins): audited `member.role_changed`; never leaves no active admin (`last_admin`). */
export const setMemberRole: FunctionHandler = async (request, caller, context) => {
  const input = await parseBody(request, setMemberRoleSchema);
  if (!input.ok) return appErrorResponse(input.error);
  return applyChange(caller, context, input.value.userId, { kind: 'role', role: input.value.role });
};

/**
 * `setMemberActive {userId, isActive}` (admins): a deactivated member can no longer sign in or
 * dial, their sessions end, and their history stays. Audited; never the last active admin.
 */
export const setMemberActive: FunctionHandler = async (request, caller, context) => {
  const input = await parseBody(request, setMemberActiveSchema);
  if (!input.ok) return appErrorResponse(input.error);
  return applyChange(caller, context, input.value.userId, { kind: 'active', isActive: input.value.isActive });
};

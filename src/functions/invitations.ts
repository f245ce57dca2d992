import { z } from 'zod';
import { appErrorResponse } from '../api/http.js';
import { DEFAULT_INVITATION_HOURS, invitationAcceptPath, MAX_INVITATION_HOURS, ROLES } from '../core/workspace.js';
import { createInvitation as insertInvitation, revokeInvitation as revokeInvitationRow } from '../db/invitations.js';
import { requireAdmin } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { toInvitationView } from './workspace-views.js';

const createInvitationSchema = z
  .object({
    role: z.enum(ROLES, `role is one of ${ROLES.join(', ')}`),
    inviteeEmail: z.string().trim().toLowerCase().max(254).pipe(z.email('inviteeEmail must be an email address')).nullish(),
    expiresInHours: z
      .number(`expiresInHours is a whole number from 1 to ${MAX_INVITATION_HOURS}`)
      .int(`expiresInHours is a whole number from 1 to ${MAX_INVITATION_HOURS}`)
      .min(1, `expiresInHours is a whole number from 1 to ${MAX_INVITATION_HOURS}`)
      .max(MAX_INVITATION_HOURS, `expiresInHours is a whole number from 1 to ${MAX_INVITATION_HOURS}`)
      .default(DEFAULT_INVITATION_HOURS),
  })
  .strict();

/**
 * `createInvitation {role, inviteeEmail?, expiresInHours?}` (admins): a single-use, expiring
 * invitation link into the caller's workspace. The token is in this answer only; the admin
 * copies the link (`acceptPath`, opened on the web app's origin). With `inviteeEmail`, only that
 * address can sign up with it.
 */
export const createInvitation: FunctionHandler = async (request, caller, { db }) => {
  const admin = requireAdmin(caller);
  if (!admin.ok) return appErrorResponse(admin.error);
  const input = await parseBody(request, createInvitationSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const { invitation, token } = await insertInvitation(db, {
    workspaceId: admin.value.workspaceId,
    inviterEmail: admin.value.email,
    role: input.value.role,
    inviteeEmail: input.value.inviteeEmail ?? null,
    expiresInHours: input.value.expiresInHours,
  });
  return Response.json({ invitation: toInvitationView(invitation), token, acceptPath: invitationAcceptPath(token) });
};

const revokeInvitationSchema = z.object({ invitationId: z.uuid('invitationId must be an invitation id') }).strict();

/** `revokeInvitation {invitationId}` (admins): the link stops working; revoking twice is a no-op. */
export const revokeInvitation: FunctionHandler = async (request, caller, { db }) => {
  const admin = requireAdmin(caller);
  if (!admin.ok) return appErrorResponse(admin.error);
  const input = await parseBody(request, revokeInvitationSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const revoked = await revokeInvitationRow(db, { workspaceId: admin.value.workspaceId, actorEmail: admin.value.email, invitationId: input.value.invitationId });
  if (!revoked.ok) return appErrorResponse(revoked.error);
  return Response.json({ invitation: toInvitationView(revoked.value) });
};

import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { findMemberByUserId, findWorkspace } from '../db/workspaces.js';
import { requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { toMemberView, toWorkspaceView } from './workspace-views.js';

const getWorkspaceSchema = z.object({}).strict();

/**
 * `getWorkspace {}`: the caller's workspace and their membership (role), for the UI to choose
 * its screens. It takes no input, so a request without a body is fine too.
 */
export const getWorkspace: FunctionHandler = async (request, caller, { db }) => {
  const hasBody = (await request.clone().text()).trim() !== '';
  const input = hasBody ? await parseBody(request, getWorkspaceSchema) : undefined;
  if (input && !input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const [workspace, row] = await Promise.all([findWorkspace(db, member.value.workspaceId), findMemberByUserId(db, member.value.userId)]);
  if (!workspace || !row) return errorResponse('not_found', 'Your workspace membership is gone.');
  return Response.json({ workspace: toWorkspaceView(workspace), member: toMemberView(row) });
};

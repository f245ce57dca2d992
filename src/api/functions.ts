import { Hono } from 'hono';
import type { Caller } from '../functions/caller.js';
import type { FunctionContext, FunctionHandler } from '../functions/context.js';
import { createExport } from '../functions/create-export.js';
import { dialerSettings } from '../functions/dialer-settings.js';
import { endRepCall } from '../functions/end-rep-call.js';
import { getWorkspace } from '../functions/get-workspace.js';
import { createInvitation, revokeInvitation } from '../functions/invitations.js';
import { setMemberActive, setMemberRole } from '../functions/members.js';
import { setRepState } from '../functions/set-rep-state.js';
import { bulkUpdateLeads } from '../functions/bulk-update-leads.js';
import { archiveLeadList, createLeadList, updateLeadList } from '../functions/lead-lists.js';
import { setWorkspaceSettings } from '../functions/workspace-settings.js';
import { getReport } from '../functions/get-report.js';
import { checkDial } from '../functions/check-dial.js';
import { addDoNotCallNumbers, removeDoNotCallNumber } from '../functions/do-not-call.js';
import { deleteCallingHourRule, getComplianceSettings, setCallingHourRule, setComplianceSettings } from '../functions/compliance-settings.js';
import { getAbandonmentRates } from '../functions/get-abandonment-rates.js';
import { pauseDialerSession, resumeDialerSession, startDialerSession, stopDialerSession } from '../functions/dialer-sessions.js';
import { getDialerSession } from '../functions/dialer-session-view.js';
import { getLeadImport, startLeadImport } from '../functions/lead-import.js';
import { mockDialerCall } from '../functions/mock-dialer-call.js';
import { saveDisposition } from '../functions/save-disposition.js';
import { twilioEndCall } from '../functions/twilio-end-call.js';
import { twilioInitiateCall } from '../functions/twilio-initiate-call.js';
import { twilioVoiceToken } from '../functions/twilio-voice-token.js';
import type { Queryable } from '../db/database.js';
import { findMemberByUserId } from '../db/workspaces.js';
import { loggerFor } from '../request-logger.js';
import { errorResponse } from './http.js';
import { readBearerToken, type TokenService } from './jwt.js';

/** The seed's function names, exactly, and the ones added since. */
const FUNCTIONS: Readonly<Record<string, FunctionHandler>> = {
  mockDialerCall,
  twilioInitiateCall,
  twilioEndCall,
  dialerSettings,
  twilioVoiceToken,
  saveDisposition,
  // Teams (issue 11).
  getWorkspace,
  createInvitation,
  revokeInvitation,
  setMemberRole,
  setMemberActive,
  setRepState,
  endRepCall,
  getReport,
  createExport,
  // Lead imports (issue 12): the file is uploaded to POST /imports/leads first.
  startLeadImport,
  getLeadImport,
  // Lead lists (issue 12).
  createLeadList,
  updateLeadList,
  archiveLeadList,
  bulkUpdateLeads,
  setWorkspaceSettings,
  // Compliance (issue 13): the dial gate's dry run; the workspace's calling window, caps, consent and calling-hours table.
  checkDial,
  getComplianceSettings,
  setComplianceSettings,
  setCallingHourRule,
  deleteCallingHourRule,
  // Compliance (issue 13): the rolling 30-day abandonment rates for the floor and the session screen.
  getAbandonmentRates,
  // Compliance (issue 13): the workspace's do-not-call list (a file is imported at POST /imports/do-not-call).
  addDoNotCallNumbers,
  removeDoNotCallNumber,
  // Power-dial sessions (issue 14): start, pause, resume, stop (the server's session runner dials).
  startDialerSession,
  pauseDialerSession,
  resumeDialerSession,
  stopDialerSession,
  // Power-dial sessions (issue 14): the session screen's read: the session, its list, its next leads, the call to wrap up.
  getDialerSession,
};

/**
 * Every function's caller, in one place: the token's user must be an active member (a
 * deactivated one's access token stays valid until it expires, so the membership is read here,
 * on every request), which is what refuses a deactivated rep every call, dial included.
 */
async function identifyCaller(request: Request, tokens: TokenService, db: Queryable): Promise<Caller | Response> {
  const token = readBearerToken(request);
  if (!token) return errorResponse('unauthorized', 'Sign in first: the request has no access token.');
  const claims = await tokens.verify(token);
  if (!claims.ok) return errorResponse('unauthorized', claims.error.message);
  const { role, email, sub } = claims.value;
  if (role === 'service_role') return { kind: 'service' };
  if (role !== 'authenticated' || !email || !sub) return errorResponse('unauthorized', 'Sign in first: the anon key cannot call functions.');
  const member = await findMemberByUserId(db, sub);
  if (!member?.is_active || member.user_email !== email) {
    return errorResponse('forbidden', 'This account is deactivated (or not a member of a workspace): an admin of the workspace can reactivate it.');
  }
  return { kind: 'user', email, userId: sub, workspaceId: member.workspace_id, role: member.role };
}

/** `/functions/v1/<name>`: each function is a handler over Web Request/Response. */
export function createFunctionRoutes(tokens: TokenService, context: FunctionContext): Hono {
  const routes = new Hono();
  routes.post('/:name', async (c) => {
    const name = c.req.param('name');
    const handler = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (!handler) return errorResponse('not_found', `There is no function named ${name}.`);
    const caller = await identifyCaller(c.req.raw, tokens, context.db);
    if (caller instanceof Response) return caller;
    // The function's lines, its database work's included, carry the request's id.
    return handler(c.req.raw, caller, { ...context, tokens, logger: loggerFor(context.logger, c) });
  });
  return routes;
}

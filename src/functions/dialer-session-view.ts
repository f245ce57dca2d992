import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { seesWholeWorkspace } from '../core/workspace.js';
import { findSessionList, findViewableSession, sessionQueue, sessionTalkCall, type DialerSessionViewRow } from '../db/dialer-session-view.js';
import { requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { toDialerSessionView } from './dialer-sessions.js';

const getDialerSessionSchema = z.object({ sessionId: z.uuid('sessionId must be a session id').optional() }).strict();

/** How many queued leads the answer names (the rest are counted). */
export const QUEUE_PREVIEW = 5;

const toSessionView = (row: DialerSessionViewRow) => ({
  ...toDialerSessionView(row),
  idleReason: row.idle_reason ?? null,
  pauseReason: row.pause_reason ?? null,
  wrapUpUntil: row.wrap_up_until?.toISOString() ?? null,
});

/**
 * `getDialerSession {sessionId?}` -> `{session, list, queue, talkCall}`, or `{session: null}`
 * when the caller has no session at all. Reads only.
 * - Without `sessionId`: the caller's live session (active or paused), or else their latest one
 *   (so the screen can say why it stopped). With it: that session, if it is the caller's, or, for
 *   admins and managers, any session of their workspace.
 * - `session`: as the session functions answer it, plus `idleReason`, `pauseReason`
 *   ('rep_paused' | 'server_lost') and `wrapUpUntil` (ISO; when the list's wrap-up timer ends).
 * - `list`: `{id, name, wrapUpSeconds (null: wait for the disposition), voicemailAction}`.
 * - `queue`: `{next: [up to 5 {id, name, company, phone, callbackAt}], remaining}`: what the
 *   session would dial next, in its order (src/db/dialer-session-view.ts sessionQueue).
 * - `talkCall`: `{callId, leadId, status, lineNumber, answeredAt, endedAt}` of the call the rep is
 *   on or last spoke on in the session (the lead card and the disposition are for it), or null.
 * Errors: `invalid_request` (400), `forbidden` (403: the service role), `session_not_found`
 * (404: no such session the caller may see).
 */
export const getDialerSession: FunctionHandler = async (request, caller, { db }) => {
  const hasBody = (await request.clone().text()).trim() !== '';
  const input = hasBody ? await parseBody(request, getDialerSessionSchema) : { ok: true as const, value: {} as { sessionId?: string } };
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const { workspaceId, email, role } = member.value;
  const { sessionId } = input.value;
  const row = await findViewableSession(db, { workspaceId, email, seesWorkspace: seesWholeWorkspace(role) }, sessionId);
  if (!row) {
    if (sessionId !== undefined) return errorResponse('session_not_found', 'There is no session with that sessionId that you may see.');
    return Response.json({ session: null, list: null, queue: { next: [], remaining: 0 }, talkCall: null });
  }
  // A callback is due by the server's clock, as the runner reserves leads by it.
  const now = new Date();
  const [list, queue, talkCall] = [await findSessionList(db, row), await sessionQueue(db, row, now, QUEUE_PREVIEW), await sessionTalkCall(db, row)];
  return Response.json({
    session: toSessionView(row),
    list: list ?? null,
    queue: { next: queue.next.map((lead) => ({ ...lead, callbackAt: lead.callbackAt?.toISOString() ?? null })), remaining: queue.remaining },
    talkCall: talkCall
      ? { ...talkCall, answeredAt: talkCall.answeredAt?.toISOString() ?? null, endedAt: talkCall.endedAt?.toISOString() ?? null }
      : null,
  });
};

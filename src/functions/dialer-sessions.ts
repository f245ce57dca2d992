import { z } from 'zod';
import { appErrorResponse } from '../api/http.js';
import { MAX_SESSION_LINES, MIN_SESSION_LINES, normalizeSessionFilter, sessionFilterSchema } from '../core/dialer-session.js';
import type { Result } from '../core/errors.js';
import {
  pauseDialerSession as pauseSession,
  resumeDialerSession as resumeSession,
  startDialerSession as startSession,
  stopDialerSession as stopSession,
  type DialerSessionRow,
} from '../db/dialer-sessions.js';
import { requireMember } from './caller.js';
import { parseBody, type FunctionContext, type FunctionHandler } from './context.js';

/**
 * Power-dial session functions (issue 14), JSON in and out, the caller from their token. A rep
 * drives only their own session; a manager's or admin's session is theirs alike. These move the
 * session and nothing else; the dialing itself (reserving leads, the dial gate, first human
 * wins, wrap-up) is done by the runner, src/db/dialer-session-runner.ts (demo mode so far).
 */

const linesMessage = `lines is ${MIN_SESSION_LINES}, 2 or ${MAX_SESSION_LINES}`;
const startSchema = z
  .object({
    listId: z.uuid('listId must be a list id'),
    // A JSON number only, as lineNumber is for calls.
    lines: z.number(linesMessage).int(linesMessage).min(MIN_SESSION_LINES, linesMessage).max(MAX_SESSION_LINES, linesMessage),
    filter: sessionFilterSchema.optional(),
  })
  .strict();
const sessionSchema = z.object({ sessionId: z.uuid('sessionId must be a session id') }).strict();

/** The shape the session functions answer with (camelCase, ISO timestamps). */
export const toDialerSessionView = (session: DialerSessionRow) => ({
  id: session.id,
  listId: session.list_id,
  userEmail: session.user_email,
  filter: session.filter,
  lines: session.lines,
  status: session.status,
  stopReason: session.stop_reason,
  pauseReason: session.pause_reason,
  idleReason: session.idle_reason,
  counters: {
    dialed: session.dialed,
    connected: session.connected,
    voicemail: session.voicemail,
    abandoned: session.abandoned,
    skipped: session.skipped,
    skippedReasons: session.skipped_reasons,
  },
  connectedCallId: session.connected_call_id,
  heartbeatAt: session.heartbeat_at.toISOString(),
  startedAt: session.started_at.toISOString(),
  wrapUpUntil: session.wrap_up_until?.toISOString() ?? null,
  pausedAt: session.paused_at?.toISOString() ?? null,
  stoppedAt: session.stopped_at?.toISOString() ?? null,
  updatedAt: session.updated_at.toISOString(),
});

const nowOf = (context: FunctionContext) => new Date(context.clock?.now() ?? Date.now());
const respond = (result: Result<DialerSessionRow>) => (result.ok ? Response.json({ session: toDialerSessionView(result.value) }) : appErrorResponse(result.error));

/**
 * `startDialerSession {listId, lines: 1|2|3, filter?: {statuses?, callbacksOnly?}}` -> `{session}`
 * (status `active`). The list must be a live list of the caller's workspace. Errors:
 * `invalid_request` (400), `forbidden` (403: the service role has no session), `list_not_found`
 * (404), `list_archived` (409), `session_active` (409: one live session per rep; stop it first).
 */
export const startDialerSession: FunctionHandler = async (request, caller, context) => {
  const input = await parseBody(request, startSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const owner = { workspaceId: member.value.workspaceId, email: member.value.email };
  const filter = normalizeSessionFilter(input.value.filter ?? {});
  return respond(await startSession(context.db, owner, { listId: input.value.listId, lines: input.value.lines, filter }, nowOf(context)));
};

function sessionMove(move: typeof pauseSession): FunctionHandler {
  return async (request, caller, context) => {
    const input = await parseBody(request, sessionSchema);
    if (!input.ok) return appErrorResponse(input.error);
    const member = requireMember(caller);
    if (!member.ok) return appErrorResponse(member.error);
    const owner = { workspaceId: member.value.workspaceId, email: member.value.email };
    return respond(await move(context.db, owner, input.value.sessionId, nowOf(context)));
  };
}

/**
 * `pauseDialerSession {sessionId}` -> `{session}` (`paused`; pausing a paused one changes nothing).
 * No new dials; calls already live go on. Errors: `session_not_found` (404, also another rep's),
 * `session_stopped` (409).
 */
export const pauseDialerSession = sessionMove(pauseSession);

/**
 * `resumeDialerSession {sessionId}` -> `{session}` (`active`). Errors: `session_not_found` (404),
 * `session_stopped` (409), `list_archived` (409: the list was archived while paused).
 */
export const resumeDialerSession = sessionMove(resumeSession);

/**
 * `stopDialerSession {sessionId}` -> `{session}` (`stopped`, reason `rep_stopped`; final; stopping
 * twice changes nothing). Its lead reservations are released. Errors: `session_not_found` (404).
 */
export const stopDialerSession = sessionMove((db, owner, sessionId, now) => stopSession(db, owner, sessionId, now));

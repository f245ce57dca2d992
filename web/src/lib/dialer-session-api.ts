import type { SupabaseClient } from '@supabase/supabase-js';
import type { SessionFilter, SessionPauseReason, SessionStatus, SessionStopReason } from '../../../src/core/dialer-session.js';
import { invokeFunction } from './invoke-function.js';
import { REFUSAL_CODE_LABEL } from './compliance-api.js';

/**
 * Power-dial sessions (issue 14) as the web app calls them: startDialerSession,
 * pauseDialerSession, resumeDialerSession, stopDialerSession (src/functions/dialer-sessions.ts)
 * and getDialerSession (src/functions/dialer-session-view.ts), and the words for their reasons.
 */

export interface SessionCounters {
  readonly dialed: number;
  readonly connected: number;
  readonly voicemail: number;
  readonly abandoned: number;
  readonly skipped: number;
  readonly skippedReasons: Readonly<Record<string, number>>;
}

/** A session as getDialerSession answers it. */
export interface SessionView {
  readonly id: string;
  readonly listId: string;
  readonly userEmail: string;
  readonly filter: SessionFilter;
  readonly lines: number;
  readonly status: SessionStatus;
  readonly stopReason: string | null;
  readonly counters: SessionCounters;
  readonly connectedCallId: string | null;
  readonly idleReason: string | null;
  readonly pauseReason: string | null;
  readonly wrapUpUntil: string | null;
  readonly startedAt: string;
  readonly stoppedAt: string | null;
  readonly updatedAt: string;
}

export interface QueuedLead {
  readonly id: string;
  readonly name: string;
  readonly company: string | null;
  readonly phone: string;
  readonly callbackAt: string | null;
}

export interface SessionTalkCall {
  readonly callId: string;
  readonly leadId: string | null;
  readonly status: string;
  readonly lineNumber: number;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  /** The lead on the call, as the server shows it to the rep on the line (whoever owns it). */
  readonly lead: SessionTalkLead | null;
}

/** The lead of the session's talk call (getDialerSession): readable by the rep on the line even when another member owns it. */
export interface SessionTalkLead {
  readonly id: string;
  readonly name: string;
  readonly company: string | null;
  readonly phone: string;
  readonly email: string | null;
  readonly notes: string | null;
  readonly status: string;
  readonly ownerEmail: string;
}

export interface DialerSessionAnswer {
  readonly session: SessionView | null;
  readonly list: { readonly id: string; readonly name: string; readonly wrapUpSeconds: number | null; readonly voicemailAction: string } | null;
  readonly queue: { readonly next: readonly QueuedLead[]; readonly remaining: number };
  readonly talkCall: SessionTalkCall | null;
}

export const getDialerSession = (supabase: SupabaseClient, sessionId?: string) =>
  invokeFunction<DialerSessionAnswer>(supabase, 'getDialerSession', sessionId ? { sessionId } : {});

export const startDialerSession = (supabase: SupabaseClient, request: { listId: string; lines: number; filter?: SessionFilter }) =>
  invokeFunction<{ session: SessionView }>(supabase, 'startDialerSession', { ...request });

export type SessionMove = 'pause' | 'resume' | 'stop';
const MOVE_FUNCTION: Readonly<Record<SessionMove, string>> = { pause: 'pauseDialerSession', resume: 'resumeDialerSession', stop: 'stopDialerSession' };
export const moveDialerSession = (supabase: SupabaseClient, move: SessionMove, sessionId: string) =>
  invokeFunction<{ session: SessionView }>(supabase, MOVE_FUNCTION[move], { sessionId });

export const SESSION_STATUS_LABEL: Readonly<Record<SessionStatus, string>> = { active: 'Dialing', paused: 'Paused', stopped: 'Stopped' };

/** Why a session stopped (`dialer_sessions.stop_reason`), in a sentence; an unknown code is shown as it is. */
const STOP_REASON_TEXT: Readonly<Record<SessionStopReason, string>> = {
  rep_stopped: 'You stopped the session.',
  queue_empty: 'The queue is empty: every lead of the list (or of its filter) has been worked.',
  list_archived: 'The list was archived, so the session stopped.',
  heartbeat_lost: 'The server lost the session (it stopped hearing from it), so it was ended.',
};
export const stopReasonText = (code: string) => (STOP_REASON_TEXT as Readonly<Record<string, string>>)[code] ?? `Stopped: ${code}.`;

/** Why a session is paused (`dialer_sessions.pause_reason`, migration 0026). */
const PAUSE_REASON_TEXT: Readonly<Record<SessionPauseReason, string>> = {
  rep_paused: 'Paused by you: live calls finish, nothing new is dialed until you resume.',
  server_lost: 'Paused because the server running the session stopped: resume to carry on.',
};
export const pauseReasonText = (code: string | null) => (code === null ? 'Paused: live calls finish, nothing new is dialed until you resume.' : ((PAUSE_REASON_TEXT as Readonly<Record<string, string>>)[code] ?? `Paused: ${code}.`));

/** A skip reason (the dial gate's refusal code) in words. */
export const skipReasonLabel = (code: string) => (REFUSAL_CODE_LABEL as Readonly<Record<string, string>>)[code] ?? code;

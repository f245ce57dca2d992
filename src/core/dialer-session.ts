import { z } from 'zod';
import { DIAL_REFUSAL_CODES, type DialRefusalCode } from './dial-gate.js';
import { fail, ok, type Result } from './errors.js';
import { LEAD_STATUSES, type LeadStatus } from './rows.js';

/**
 * Power-dial sessions (issue 14; DESIGN PD1, PD2): a rep works a lead list on 1 to 3 lines.
 * This file is the session's vocabulary and rules as data; db/migrations/0021_dialer_sessions.sql
 * stores them and src/db/dialer-sessions.ts applies them under the database's locks.
 */

/** Stored in `dialer_sessions.status`. `stopped` is final. */
export const SESSION_STATUSES = ['active', 'paused', 'stopped'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** What a rep (or the server) does to a session. */
export const SESSION_ACTIONS = ['start', 'pause', 'resume', 'stop'] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

/** Why a session stopped (`dialer_sessions.stop_reason`). */
export const SESSION_STOP_REASONS = ['rep_stopped', 'queue_empty', 'list_archived', 'heartbeat_lost'] as const;
export type SessionStopReason = (typeof SESSION_STOP_REASONS)[number];

/**
 * Why a session is paused (`dialer_sessions.pause_reason`): the rep paused it, or the server that
 * ran it died (its lease lapsed without being given up). A session never dials on by itself after
 * its server was lost: the rep, on return, resumes it (or stops it).
 */
export const SESSION_PAUSE_REASONS = ['rep_paused', 'server_lost'] as const;
export type SessionPauseReason = (typeof SESSION_PAUSE_REASONS)[number];

/** The bounds of a list's wrap-up timer (`lead_lists.wrap_up_seconds`, migration 0026), in seconds. */
export const WRAP_UP_SECONDS_MIN = 5;
export const WRAP_UP_SECONDS_MAX = 3600;

/** The lines a session may ask for (the seed's `lineNumber` 1–3). */
export const MIN_SESSION_LINES = 1;
export const MAX_SESSION_LINES = 3;

/**
 * The legal moves, as a table: for each action, the statuses it leaves from and the status it
 * reaches. `start` leaves from no session (null). A move that would not change the status
 * (pausing a paused session, resuming an active one, stopping a stopped one) is a no-op rather
 * than an error, so a double click or a retried request is harmless; any move out of `stopped`
 * other than `stop` is refused.
 */
export const SESSION_MOVES: Readonly<Record<SessionAction, { readonly from: readonly (SessionStatus | null)[]; readonly to: SessionStatus }>> = {
  start: { from: [null], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  stop: { from: ['active', 'paused'], to: 'stopped' },
};

/** The outcome of a move: the next status, and whether anything changes. */
export interface SessionMove {
  readonly to: SessionStatus;
  readonly isChange: boolean;
}

/**
 * Where `action` takes a session in `current` (null: the rep has no live session). Errors:
 * `session_stopped` (a stopped session cannot be paused or resumed: start a new one),
 * `session_active` (start while a session is live), `session_not_found` (pause, resume or stop
 * without a session).
 */
export function moveSession(current: SessionStatus | null, action: SessionAction): Result<SessionMove> {
  const move = SESSION_MOVES[action];
  if (move.from.includes(current)) return ok({ to: move.to, isChange: true });
  // A second start is not a no-op: it would be a second session.
  if (current === move.to && action !== 'start') return ok({ to: move.to, isChange: false });
  if (current === null) return fail('session_not_found', 'There is no such session of yours: start one first.');
  if (action === 'start' && current !== 'stopped') return fail('session_active', 'You already have a live session: stop it before starting another.');
  return fail('session_stopped', 'The session is stopped: start a new one to dial again.');
}

export function isSessionStatus(value: unknown): value is SessionStatus {
  return typeof value === 'string' && (SESSION_STATUSES as readonly string[]).includes(value);
}

/** Whether a session in this status may start new dials: only an active one (a paused one lets live calls finish). */
export function isDialingStatus(status: SessionStatus): boolean {
  return status === 'active';
}

/**
 * A saved filter of the list: which leads of it the session works. Small on purpose, and checked
 * before it is stored (`dialer_sessions.filter`):
 * - `statuses`: only leads in these statuses (default: every status but `do_not_call`, which is
 *   never dialed and may not be asked for);
 * - `callbacksOnly`: only leads with a callback that is due.
 */
export const DIALABLE_LEAD_STATUSES = LEAD_STATUSES.filter((status): status is Exclude<LeadStatus, 'do_not_call'> => status !== 'do_not_call');

export const sessionFilterSchema = z
  .object({
    statuses: z
      .array(z.enum(DIALABLE_LEAD_STATUSES, `statuses are lead statuses other than do_not_call: ${DIALABLE_LEAD_STATUSES.join(', ')}`))
      .min(1, 'statuses lists at least one status (leave it out for all)')
      .max(DIALABLE_LEAD_STATUSES.length)
      .optional(),
    callbacksOnly: z.boolean('callbacksOnly is true or false').optional(),
  })
  .strict();
export type SessionFilter = z.output<typeof sessionFilterSchema>;

/** The filter as stored: statuses sorted and unique, absent fields left out. */
export function normalizeSessionFilter(filter: SessionFilter): SessionFilter {
  return {
    ...(filter.statuses ? { statuses: [...new Set(filter.statuses)].sort() } : {}),
    ...(filter.callbacksOnly ? { callbacksOnly: true } : {}),
  };
}

/**
 * The queue's order, as data (src/db/dialer-sessions.ts reserveNextLeads sorts by these keys):
 * 1. due callbacks first (`leads.callback_at <= now`), earliest due first: a promise to call back
 *    is kept before anyone new is called;
 * 2. then the list's order: the lead added first (`leads.created_at`), ties by `leads.id`, so the
 *    order is total and the same on every server.
 * Never in the queue: `do_not_call` leads; leads with a live call (any rep, any session); leads
 * another session holds (an unexpired reservation); leads this session has already dialed; and
 * leads called in the list's current pass (`leads.last_called_at` at or after the earliest start
 * of the list's live sessions): reps sharing a list work it once between them, not once each.
 */
export const QUEUE_ORDER = [
  { key: 'due_callback', direction: 'first', why: 'a promise to call back is kept before anyone new is called' },
  { key: 'callback_at', direction: 'asc', why: 'among due callbacks, the one due longest first' },
  { key: 'created_at', direction: 'asc', why: "the list's order: the lead added first" },
  { key: 'id', direction: 'asc', why: 'ties broken the same way on every server' },
] as const;

/** What the queue orders by, for one lead. */
export interface QueueLead {
  readonly id: string;
  readonly createdAt: Date;
  readonly callbackAt: Date | null;
}

/** The queue order of QUEUE_ORDER as a comparator (for tests and for showing the next leads). */
export function compareQueueLeads(now: Date, a: QueueLead, b: QueueLead): number {
  const dueAt = (lead: QueueLead) => (lead.callbackAt !== null && lead.callbackAt.getTime() <= now.getTime() ? lead.callbackAt.getTime() : null);
  const dueA = dueAt(a);
  const dueB = dueAt(b);
  if (dueA !== null && dueB === null) return -1;
  if (dueA === null && dueB !== null) return 1;
  if (dueA !== null && dueB !== null && dueA !== dueB) return dueA - dueB;
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return a.createdAt.getTime() - b.createdAt.getTime();
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * How long a reservation lasts without renewal, in seconds. The session's heartbeat renews its
 * reservations; a reservation only has to outlive the time between reserving a lead and its call
 * row existing (after that, the live call keeps the lead out of every queue).
 */
export const RESERVATION_SECONDS = 120;

/**
 * A session whose heartbeat is older than this (seconds) is dead to the queue: its reservations
 * are released (PD2). Twice the presence timeout of realtime (30 s, db/migrations/0011), so a
 * server that misses one beat keeps its leads.
 */
export const SESSION_HEARTBEAT_TIMEOUT_SECONDS = 60;

/** A session as clients read it from `dialer_sessions` (db/migrations/0021_dialer_sessions.sql). */
export interface DialerSession<Time = string> {
  id: string;
  workspace_id: string;
  user_email: string;
  list_id: string;
  filter: SessionFilter;
  lines: number;
  status: SessionStatus;
  stop_reason: SessionStopReason | null;
  dialed: number;
  connected: number;
  voicemail: number;
  abandoned: number;
  skipped: number;
  skipped_reasons: Partial<Record<SkipReason, number>>;
  /** PD1: the one call connected to the rep, or null. */
  connected_call_id: string | null;
  heartbeat_at: Time;
  /** The server (one running instance) driving the session and until when its lease holds (migration 0025); null when none. */
  runner_id: string | null;
  runner_until: Time | null;
  /** Why a live session places no calls (e.g. Twilio mode, not run yet), for the rep; null when it dials. */
  idle_reason: string | null;
  /** Why it is paused (null unless paused). */
  pause_reason: SessionPauseReason | null;
  /** When the list's wrap-up timer ends the rep's wrap-up and the session dials on (null: no timer running). */
  wrap_up_until: Time | null;
  started_at: Time;
  paused_at: Time | null;
  stopped_at: Time | null;
  updated_at: Time;
}

/** The session's counters (`dialer_sessions` columns of the same names). */
export const SESSION_COUNTERS = ['dialed', 'connected', 'voicemail', 'abandoned'] as const;
export type SessionCounter = (typeof SESSION_COUNTERS)[number];

/** Why a lead was skipped: the dial gate's refusal codes (src/core/dial-gate.ts). */
export const SKIP_REASONS = DIAL_REFUSAL_CODES;
export type SkipReason = DialRefusalCode;

/**
 * The skip reason for a refused dial: the gate's refusal code (openCall's error code, src/db/place-call.ts),
 * or null for an error that is no refusal of the lead (a busy line, a provider error): such a lead is not skipped.
 */
export function skipReasonOf(code: string): SkipReason | null {
  return isSkipReason(code) ? code : null;
}

function isSkipReason(code: string): code is SkipReason {
  return (SKIP_REASONS as readonly string[]).includes(code);
}

export interface SessionCounts {
  readonly dialed: number;
  readonly connected: number;
  readonly voicemail: number;
  readonly abandoned: number;
  readonly skipped: number;
  readonly skippedReasons: Readonly<Partial<Record<SkipReason, number>>>;
}

export const EMPTY_SESSION_COUNTS: SessionCounts = { dialed: 0, connected: 0, voicemail: 0, abandoned: 0, skipped: 0, skippedReasons: {} };

/** The counts after one event: a counter up by one, or a skip counted under its reason (and in `skipped`). */
export function countSessionEvent(counts: SessionCounts, event: { readonly kind: SessionCounter } | { readonly kind: 'skipped'; readonly reason: SkipReason }): SessionCounts {
  if (event.kind === 'skipped') {
    return {
      ...counts,
      skipped: counts.skipped + 1,
      skippedReasons: { ...counts.skippedReasons, [event.reason]: (counts.skippedReasons[event.reason] ?? 0) + 1 },
    };
  }
  return { ...counts, [event.kind]: counts[event.kind] + 1 };
}

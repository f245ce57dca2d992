/**
 * The power-dial session runner's decisions (issue 14; DESIGN PD1, PD2, CG1), pure: what a
 * session's call means to the session, and which lines may dial now. src/db/dialer-session-runner.ts
 * applies them to the database every pass.
 */

/** How long a server's lease on a session lasts without renewal, in seconds (`dialer_sessions.runner_until`). */
export const RUNNER_LEASE_SECONDS = 15;

/** How often the runner makes a pass over the sessions, in milliseconds (shorter than a ring). */
export const RUNNER_PASS_MS = 250;

/**
 * The least time, in seconds, a line rings before the session hangs it up unanswered: "at least
 * fifteen (15) seconds or four (4) rings" (16 CFR 310.4(b)(4)(ii); 47 CFR 64.1200(a)(6) alike).
 * A session drops a ringing line only once another line is connected to the rep, and only after
 * this long from the first ring (`active_calls.ringing_at`); answered meanwhile, it is a losing line.
 */
export const MIN_RING_SECONDS = 15;

/**
 * Seconds a session waits, after a call answered with no verdict yet has ended, for the
 * answering-machine verdict (Twilio may send the asynchronous AMD result after the call's end):
 * only then is an answer without a verdict counted as a person's (47 CFR 64.1200(a)(7) counts
 * every call no one can show was a machine), so the count does not depend on which came first.
 */
export const VERDICT_GRACE_SECONDS = 10;

/** What a session does with an answering machine, from its list (`lead_lists.voicemail_action`, `voicemail_message`). */
export type MachineAction = { readonly kind: 'leave'; readonly message: string } | { readonly kind: 'hang_up' };

/**
 * The list's voicemail drop: `leave` with a message says it after the beep; `leave` without one,
 * and `hangup`, hang up at the verdict (a machine is never bridged to the rep in a session).
 */
export function machineActionOf(list: { readonly voicemail_action: string; readonly voicemail_message: string | null }): MachineAction {
  const message = list.voicemail_message?.trim() ?? '';
  return list.voicemail_action === 'leave' && message !== '' ? { kind: 'leave', message } : { kind: 'hang_up' };
}

/**
 * Whether taking a session's lease means its server was lost: the lease was held by another
 * server and ran out without being given up (a server stopping cleanly clears `runner_id`).
 * Such a session is paused (`server_lost`) so that nobody is dialed while the rep may be gone.
 */
export function isServerLost(previous: { readonly runnerId: string | null; readonly runnerUntil: Date | null }, instanceId: string, now: Date): boolean {
  return previous.runnerId !== null && previous.runnerId !== instanceId && previous.runnerUntil !== null && previous.runnerUntil.getTime() <= now.getTime();
}

/** What an answered call of a session is, to the session. */
export type AnswerVerdict = 'human' | 'machine' | 'pending' | 'unanswered';

/** The facts of a call the verdict reads (`active_calls` columns). */
export interface AnsweredCallFacts {
  readonly status: string;
  readonly answered_at: Date | null;
  readonly answered_by: string | null;
  readonly amd_enabled: boolean;
}

/**
 * Who answered, as far as the row says: `machine` for an answering-machine or fax verdict (or a
 * voicemail end); `human` for a person's verdict, or for an answer without answering-machine
 * detection (nobody can tell, so it is treated as a person, as 47 CFR 64.1200(a)(7) requires of
 * a call no one can prove was a machine); `pending` while AMD is still listening; `unanswered`.
 */
export function answerVerdict(call: AnsweredCallFacts): AnswerVerdict {
  if (call.status === 'voicemail_detected') return 'machine';
  if (call.answered_by !== null) return call.answered_by.startsWith('machine') || call.answered_by === 'fax' ? 'machine' : 'human';
  if (call.answered_at === null) return 'unanswered';
  return call.amd_enabled ? 'pending' : 'human';
}

/** What the session knows when it decides whether to dial. */
export interface DialState {
  readonly status: 'active' | 'paused' | 'stopped';
  /** The lines the abandonment rule allows now (src/core/abandonment.ts linesAllowed), 1 to 3. */
  readonly linesAllowed: number;
  /** The rep's lines with a live call (any call of theirs, in the session or not). */
  readonly liveLines: readonly number[];
  /** A human is connected to the rep (PD1). */
  readonly isConnected: boolean;
  /** The rep has a conversation to write up (`rep_states.is_wrap_up`). */
  readonly isWrapUp: boolean;
}

/**
 * The lines to dial now, lowest first: the free lines among 1..linesAllowed, as many as the
 * allowance leaves beside the live ones. None unless the session is active and the rep is free:
 * while a human is connected or the rep is in wrap-up, new dials would only reach people nobody
 * can talk to (each a call abandoned under 47 CFR 64.1200(a)(7)), so the session waits for the
 * rep; lines already ringing go on.
 */
export function linesToDial(state: DialState): number[] {
  if (state.status !== 'active' || state.isConnected || state.isWrapUp) return [];
  const room = state.linesAllowed - state.liveLines.length;
  const free: number[] = [];
  for (let line = 1; line <= state.linesAllowed && free.length < room; line++) if (!state.liveLines.includes(line)) free.push(line);
  return free;
}

/**
 * A demo call's seed for a lead: the same lead plays the same way in every session (a session over
 * a list is reproducible), derived from the lead id by FNV-1a. A 31-bit non-negative integer.
 */
export function seedForLead(leadId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < leadId.length; i++) {
    hash ^= leadId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7fffffff;
}

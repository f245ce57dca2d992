import {
  moveSession,
  RESERVATION_SECONDS,
  SESSION_HEARTBEAT_TIMEOUT_SECONDS,
  type DialerSession,
  type SessionAction,
  type SessionFilter,
  type SessionPauseReason,
  type SessionStopReason,
  type SkipReason,
} from '../core/dialer-session.js';
import { fail, ok, type Result } from '../core/errors.js';
import type { Database, Queryable } from './database.js';
import { lockLeadList } from './lead-lists.js';

/**
 * Power-dial sessions in the database (issue 14; db/migrations/0021_dialer_sessions.sql): the
 * session's moves, its lead reservations (PD2) and its one connected human (PD1). Every race is
 * decided by the database: a unique index for one live session per rep, row locks with
 * SKIP LOCKED and a primary key for reservations, a conditional UPDATE for the connection.
 * Times (`now`) are the caller's clock, passed in, so tests can move them.
 */

export type DialerSessionRow = DialerSession<Date>;

/** The rep a session belongs to: the functions pass the caller's membership. */
export interface SessionOwner {
  readonly workspaceId: string;
  readonly email: string;
}

export interface NewDialerSession {
  readonly listId: string;
  /** 1 to 3 (checked by the caller and by the table). */
  readonly lines: number;
  /** Already checked and normalised (sessionFilterSchema, normalizeSessionFilter). */
  readonly filter: SessionFilter;
}

/** A lead reserved for a session, in queue order. */
export interface ReservedLead {
  readonly leadId: string;
  readonly name: string;
  readonly phone: string;
  readonly callbackAt: Date | null;
  /** The line the lead was reserved for, when the caller named lines. */
  readonly lineNumber: number | null;
  readonly expiresAt: Date;
}

const iso = (time: Date) => time.toISOString();

async function findLiveSession(db: Queryable, userEmail: string): Promise<DialerSessionRow | undefined> {
  const [row] = await db.sql<DialerSessionRow>`select * from dialer_sessions where user_email = ${userEmail} and status in ('active', 'paused')`;
  return row;
}

/** A session of the owner's, or undefined (another rep's session is not found either). */
export async function findDialerSession(db: Queryable, owner: SessionOwner, sessionId: string): Promise<DialerSessionRow | undefined> {
  const [row] = await db.sql<DialerSessionRow>`
    select * from dialer_sessions where id = ${sessionId} and user_email = ${owner.email} and workspace_id = ${owner.workspaceId}`;
  return row;
}

/**
 * Starts a session for the owner on a list of their workspace. Race-safe: of concurrent starts
 * by one rep exactly one inserts (the partial unique index `dialer_sessions_one_live_per_rep`
 * decides), and the list is share-locked so it cannot be archived in between. It dials nothing.
 * Errors: `list_not_found` (404; also another workspace's list), `list_archived` (409),
 * `session_active` (409: the rep's live session, named in the message, is stopped first).
 */
export async function startDialerSession(db: Database, owner: SessionOwner, input: NewDialerSession, now: Date): Promise<Result<DialerSessionRow>> {
  return db.transaction(async (tx) => {
    const list = await lockLeadList(tx, owner.workspaceId, input.listId, 'share');
    if (!list) return fail('list_not_found', 'No list of your workspace has that listId.');
    if (list.archived_at) return fail('list_archived', `The list "${list.name}" is archived: it cannot be dialed.`);
    const [row] = await tx.sql<DialerSessionRow>`
      insert into dialer_sessions (user_email, list_id, filter, lines, status, heartbeat_at, started_at, updated_at)
      values (${owner.email}, ${input.listId}, ${JSON.stringify(input.filter)}::text::jsonb, ${input.lines}::integer, 'active',
              ${iso(now)}::timestamptz, ${iso(now)}::timestamptz, ${iso(now)}::timestamptz)
      on conflict (user_email) where status in ('active', 'paused') do nothing
      returning *`;
    if (row) return ok(row);
    const live = await findLiveSession(tx, owner.email);
    return fail('session_active', `You already have a live session${live ? ` (${live.id}, ${live.status})` : ''}: stop it before starting another.`);
  });
}

/**
 * Applies one move (src/core/dialer-session.ts SESSION_MOVES) to the owner's session under its
 * row lock. A move that changes nothing returns the session as it is. Stopping releases the
 * session's reservations and its connection in the same transaction; pausing releases the
 * reservations (live calls finish, and the connected call stays connected).
 * Errors: `session_not_found` (404; also another rep's session), `session_stopped` (409),
 * `list_archived` (409: resuming on a list archived meanwhile).
 */
async function moveDialerSession(
  db: Database,
  owner: SessionOwner,
  sessionId: string,
  action: Exclude<SessionAction, 'start'>,
  now: Date,
  reason: { readonly stop: SessionStopReason; readonly pause: SessionPauseReason } = { stop: 'rep_stopped', pause: 'rep_paused' },
): Promise<Result<DialerSessionRow>> {
  return db.transaction(async (tx) => {
    const [current] = await tx.sql<DialerSessionRow>`
      select * from dialer_sessions where id = ${sessionId} and user_email = ${owner.email} and workspace_id = ${owner.workspaceId} for update`;
    if (!current) return fail('session_not_found', 'You have no session with that sessionId.');
    const move = moveSession(current.status, action);
    if (!move.ok) return move;
    if (!move.value.isChange) return ok(current);
    let rows: DialerSessionRow[];
    switch (action) {
      case 'pause':
        rows = await tx.sql<DialerSessionRow>`
          update dialer_sessions set status = 'paused', pause_reason = ${reason.pause}, paused_at = ${iso(now)}::timestamptz,
            updated_at = ${iso(now)}::timestamptz
          where id = ${sessionId} returning *`;
        // A paused session holds no lead from other reps: resumed, it reserves again.
        await tx.sql`delete from lead_reservations where session_id = ${sessionId}`;
        break;
      case 'resume': {
        const list = await lockLeadList(tx, owner.workspaceId, current.list_id, 'share');
        if (!list || list.archived_at) return fail('list_archived', 'The session\'s list is archived: stop the session and start one on another list.');
        rows = await tx.sql<DialerSessionRow>`
          update dialer_sessions set status = 'active', paused_at = null, pause_reason = null, heartbeat_at = ${iso(now)}::timestamptz, updated_at = ${iso(now)}::timestamptz
          where id = ${sessionId} returning *`;
        break;
      }
      case 'stop':
        rows = await tx.sql<DialerSessionRow>`
          update dialer_sessions set status = 'stopped', stop_reason = ${reason.stop}, stopped_at = ${iso(now)}::timestamptz,
            paused_at = null, pause_reason = null, connected_call_id = null, wrap_up_until = null, updated_at = ${iso(now)}::timestamptz
          where id = ${sessionId} returning *`;
        await tx.sql`delete from lead_reservations where session_id = ${sessionId}`;
        break;
      default: {
        const unreachable: never = action;
        throw new Error(`unknown session action ${String(unreachable)}`);
      }
    }
    const [row] = rows;
    if (!row) throw new Error(`dialer session ${sessionId} vanished under its lock`);
    return ok(row);
  });
}

/**
 * Pauses the owner's active session: no new dials; live calls go on. The reason is the rep's by
 * default; the runner pauses a session whose server died with `server_lost`. See moveDialerSession for errors.
 */
export const pauseDialerSession = (db: Database, owner: SessionOwner, sessionId: string, now: Date, reason: SessionPauseReason = 'rep_paused') =>
  moveDialerSession(db, owner, sessionId, 'pause', now, { stop: 'rep_stopped', pause: reason });

/** Resumes the owner's paused session; its heartbeat restarts at `now`. See moveDialerSession for errors. */
export const resumeDialerSession = (db: Database, owner: SessionOwner, sessionId: string, now: Date) => moveDialerSession(db, owner, sessionId, 'resume', now);

/** Stops the owner's session for good, with a reason (default `rep_stopped`); its reservations are released. */
export const stopDialerSession = (db: Database, owner: SessionOwner, sessionId: string, now: Date, reason: SessionStopReason = 'rep_stopped') =>
  moveDialerSession(db, owner, sessionId, 'stop', now, { stop: reason, pause: 'rep_paused' });

/**
 * Reserves up to `count` leads for an active session, in queue order (src/core/dialer-session.ts
 * QUEUE_ORDER: due callbacks, `callback_at <= now`, earliest first; then the list's order,
 * `created_at`, `id`), and returns them in that order. PD2: the leads are row-locked with
 * `FOR NO KEY UPDATE SKIP LOCKED` (concurrent reservers pass over each other's leads instead of
 * waiting, and a call row referencing the lead is not blocked), and the reservation's primary key
 * on `lead_id` refuses a second holder whatever the interleaving, so no lead is ever held twice;
 * a reserver that loses such a race gets fewer leads and may ask again.
 * What is in the queue is decided once, by the database function `dialer_session_queue`
 * (db/migrations/0027_session_queue.sql: the list and filter, never `do_not_call`, a live call, another
 * reservation, a lead this session worked, or a lead called in the list's current pass unless a
 * callback set since is due), which the session screen reads too. A session that is not active, or
 * whose list is archived, gets none. An expired reservation is taken over. `lineNumbers[i]`, when given, is
 * stored as the line of the i-th lead. The reservation lasts RESERVATION_SECONDS from `now`,
 * renewed by heartbeatDialerSession.
 */
export async function reserveNextLeads(tx: Queryable, sessionId: string, count: number, now: Date, lineNumbers: readonly number[] = []): Promise<ReservedLead[]> {
  if (!Number.isInteger(count) || count < 1) return [];
  const at = iso(now);
  const rows = await tx.sql<{ lead_id: string; name: string; phone: string; callback_at: Date | null; line_number: number | null; expires_at: Date; position: number }>`
    with session as (
      select s.id, s.workspace_id from dialer_sessions s where s.id = ${sessionId} and s.status = 'active'
    ), picked as (
      -- The queue (migration 0027), its leads locked as they are taken.
      select q.id, q.is_due_callback, q.due_at, q.created_at
      from dialer_session_queue(${sessionId}::uuid, ${at}::timestamptz) q join leads l on l.id = q.id, session
      order by q.is_due_callback desc, q.due_at, q.created_at, q.id
      limit ${count}::integer
      for no key update of l skip locked
    ), numbered as (
      select id, (row_number() over (order by is_due_callback desc, due_at, created_at, id))::integer as position from picked
    ), reserved as (
      insert into lead_reservations (lead_id, session_id, workspace_id, line_number, reserved_at, expires_at)
      select n.id, s.id, s.workspace_id, (${JSON.stringify(lineNumbers)}::text::jsonb ->> (n.position - 1))::integer,
        ${at}::timestamptz, ${at}::timestamptz + ${RESERVATION_SECONDS}::integer * interval '1 second'
      from numbered n, session s
      on conflict (lead_id) do update set session_id = excluded.session_id, workspace_id = excluded.workspace_id,
        line_number = excluded.line_number, reserved_at = excluded.reserved_at, expires_at = excluded.expires_at
        where lead_reservations.expires_at <= excluded.reserved_at
      returning lead_id, line_number, expires_at
    )
    select r.lead_id, l.name, l.phone, l.callback_at, r.line_number, r.expires_at, n.position
    from reserved r join leads l on l.id = r.lead_id join numbered n on n.id = r.lead_id
    order by n.position`;
  return rows.map((row) => ({ leadId: row.lead_id, name: row.name, phone: row.phone, callbackAt: row.callback_at, lineNumber: row.line_number, expiresAt: row.expires_at }));
}

/** Releases one reservation of the session (a lead it will not dial after all). True when it held one. */
export async function releaseReservation(tx: Queryable, sessionId: string, leadId: string): Promise<boolean> {
  const rows = await tx.sql`delete from lead_reservations where session_id = ${sessionId} and lead_id = ${leadId} returning lead_id`;
  return rows.length > 0;
}

/**
 * The session's process is alive: stamps `heartbeat_at` and renews the session's reservations
 * for RESERVATION_SECONDS from `now`. False when the session is stopped (or gone).
 */
export async function heartbeatDialerSession(db: Queryable, sessionId: string, now: Date): Promise<boolean> {
  const rows = await db.sql`
    update dialer_sessions set heartbeat_at = ${iso(now)}::timestamptz where id = ${sessionId} and status <> 'stopped' returning id`;
  if (rows.length === 0) return false;
  await db.sql`
    update lead_reservations set expires_at = ${iso(now)}::timestamptz + ${RESERVATION_SECONDS}::integer * interval '1 second'
    where session_id = ${sessionId}`;
  return true;
}

/**
 * PD2: a dead session's leads go back to the queue. Releases every reservation that expired
 * (`expires_at <= now`), whose session is stopped, or whose session's heartbeat is older than
 * SESSION_HEARTBEAT_TIMEOUT_SECONDS before `now`. Returns the released lead ids. The sessions
 * themselves are left as they are (a rep returning to a silent session resumes or stops it).
 */
export async function releaseStaleReservations(db: Queryable, now: Date): Promise<string[]> {
  const at = iso(now);
  const rows = await db.sql<{ lead_id: string }>`
    delete from lead_reservations r
    where r.expires_at <= ${at}::timestamptz
      or exists (select 1 from dialer_sessions s where s.id = r.session_id
        and (s.status = 'stopped' or s.heartbeat_at < ${at}::timestamptz - ${SESSION_HEARTBEAT_TIMEOUT_SECONDS}::integer * interval '1 second'))
    returning r.lead_id`;
  return rows.map((row) => row.lead_id);
}

/**
 * Records that the session worked a lead: dialed (with its call) or skipped (with the dial gate's
 * reason, 16 CFR 310.4 and 47 CFR 64.1200 as the gate applies them). Counts it (`dialed`, or
 * `skipped` and `skipped_reasons`), releases the lead's reservation, and keeps the lead out of the
 * session's queue from then on, all in the caller's transaction. False when the lead was already
 * worked by the session (nothing is counted twice).
 */
export async function recordSessionLead(
  tx: Queryable,
  sessionId: string,
  leadId: string,
  outcome: { readonly kind: 'dialed'; readonly callId: string } | { readonly kind: 'skipped'; readonly reason: SkipReason },
  now: Date,
): Promise<boolean> {
  const callId = outcome.kind === 'dialed' ? outcome.callId : null;
  const reason = outcome.kind === 'skipped' ? outcome.reason : null;
  const inserted = await tx.sql`
    insert into dialer_session_leads (session_id, lead_id, workspace_id, outcome, call_id, skip_reason, at)
    select id, ${leadId}, workspace_id, ${outcome.kind}, ${callId}::uuid, ${reason}, ${iso(now)}::timestamptz from dialer_sessions where id = ${sessionId}
    on conflict (session_id, lead_id) do nothing
    returning lead_id`;
  await releaseReservation(tx, sessionId, leadId);
  if (inserted.length === 0) return false;
  if (outcome.kind === 'dialed') {
    await tx.sql`update dialer_sessions set dialed = dialed + 1, updated_at = ${iso(now)}::timestamptz where id = ${sessionId}`;
  } else {
    await tx.sql`
      update dialer_sessions set skipped = skipped + 1,
        skipped_reasons = jsonb_set(skipped_reasons, array[${outcome.reason}::text], to_jsonb(coalesce((skipped_reasons ->> ${outcome.reason})::integer, 0) + 1)),
        updated_at = ${iso(now)}::timestamptz
      where id = ${sessionId}`;
  }
  return true;
}

/**
 * Counts a session call's outcome: a voicemail reached, a human abandoned (47 CFR 64.1200(a)(7);
 * src/core/abandonment.ts), or a human the session connected whom the rep then never took (the
 * bridge to the rep's browser went unanswered and the provider played the safe-harbor message):
 * counted connected when claimed, that call is abandoned instead.
 */
export async function countSessionOutcome(tx: Queryable, sessionId: string, outcome: 'voicemail' | 'abandoned' | 'connection_abandoned'): Promise<void> {
  if (outcome === 'voicemail') await tx.sql`update dialer_sessions set voicemail = voicemail + 1, updated_at = now() where id = ${sessionId}`;
  else if (outcome === 'abandoned') await tx.sql`update dialer_sessions set abandoned = abandoned + 1, updated_at = now() where id = ${sessionId}`;
  else {
    await tx.sql`
      update dialer_sessions set connected = greatest(connected - 1, 0), abandoned = abandoned + 1, updated_at = now() where id = ${sessionId}`;
  }
}

/**
 * PD1, first human wins: connects `callId` (a call of this session, `active_calls.session_id`) to
 * the rep if nobody is connected, and counts it in `connected`. One conditional UPDATE
 * (`where connected_call_id is null`): of any number of concurrent claimers exactly one gets
 * true, on PostgreSQL because the losers re-check the condition on the row the winner committed,
 * on PGlite because statements run one at a time. A repeated claim by the winner is false too
 * (it already holds the connection). False for a stopped session or a call not of the session.
 */
export async function claimConnection(tx: Queryable, sessionId: string, callId: string): Promise<boolean> {
  const rows = await tx.sql`
    update dialer_sessions set connected_call_id = ${callId}, connected = connected + 1, updated_at = now()
    where id = ${sessionId} and connected_call_id is null and status <> 'stopped'
      and exists (select 1 from active_calls a where a.id = ${callId} and a.session_id = ${sessionId})
    returning id`;
  return rows.length > 0;
}

/** Frees the session's connection when its connected call ends (wrap-up follows). True when `callId` held it. */
export async function releaseConnection(tx: Queryable, sessionId: string, callId: string): Promise<boolean> {
  const rows = await tx.sql`
    update dialer_sessions set connected_call_id = null, updated_at = now() where id = ${sessionId} and connected_call_id = ${callId} returning id`;
  return rows.length > 0;
}

import type { DialerSessionRow } from './dialer-sessions.js';
import type { Queryable } from './database.js';

/**
 * What the session screen and the floor read about a power-dial session (issue 14): the session,
 * its list's settings, the leads it would dial next, and the call its rep is on or wrapping up.
 * Reads only: nothing here locks or reserves (the runner's reserveNextLeads, src/db/dialer-sessions.ts,
 * does that). Times are the caller's clock, passed in.
 */

/** A session row with the columns migration 0026 adds, read when present. */
export type DialerSessionViewRow = DialerSessionRow & {
  readonly pause_reason?: string | null;
  readonly wrap_up_until?: Date | null;
};

/** Who asks: a rep sees their own sessions; `seesWorkspace` (admins, managers) any of the workspace's. */
export interface SessionViewer {
  readonly workspaceId: string;
  readonly email: string;
  readonly seesWorkspace: boolean;
}

/** The session's list, as the session screen shows it. */
export interface SessionList {
  readonly id: string;
  readonly name: string;
  /** Seconds of wrap-up before the session dials on; null: until the rep saves a disposition (or a column not there yet). */
  readonly wrapUpSeconds: number | null;
  readonly voicemailAction: string;
}

export interface QueuedLead {
  readonly id: string;
  readonly name: string;
  readonly company: string | null;
  readonly phone: string;
  readonly callbackAt: Date | null;
}

export interface SessionQueue {
  /** Up to `limit` leads, in the order the runner would dial them. */
  readonly next: readonly QueuedLead[];
  /** Every lead the session would still dial, `next` included. */
  readonly remaining: number;
}

/** The call of the session the rep spoke with last (live or ended), for the lead card and the disposition. */
export interface SessionTalkCall {
  readonly callId: string;
  readonly leadId: string | null;
  readonly status: string;
  readonly lineNumber: number;
  readonly answeredAt: Date | null;
  readonly endedAt: Date | null;
  /**
   * The lead the rep is talking to: a rep working a shared list may not own it (nor read it over
   * REST), but the person on their line is theirs to see. Null for a call without a lead.
   */
  readonly lead: {
    readonly id: string;
    readonly name: string;
    readonly company: string | null;
    readonly phone: string;
    readonly email: string | null;
    readonly notes: string | null;
    readonly status: string;
    readonly ownerEmail: string;
  } | null;
}

/**
 * The session `sessionId` if the viewer may see it, or else (no id) the viewer's live session
 * (active or paused), or else their latest one; undefined when there is none (or none they may see).
 */
export async function findViewableSession(db: Queryable, viewer: SessionViewer, sessionId?: string): Promise<DialerSessionViewRow | undefined> {
  if (sessionId !== undefined) {
    const [row] = await db.sql<DialerSessionViewRow>`
      select * from dialer_sessions
      where id = ${sessionId} and workspace_id = ${viewer.workspaceId} and (${viewer.seesWorkspace} or user_email = ${viewer.email})`;
    return row;
  }
  const [row] = await db.sql<DialerSessionViewRow>`
    select * from dialer_sessions where user_email = ${viewer.email} and workspace_id = ${viewer.workspaceId}
    order by (status in ('active', 'paused')) desc, started_at desc, id limit 1`;
  return row;
}

/** The session's list: its name and the settings the session follows. */
export async function findSessionList(db: Queryable, session: DialerSessionViewRow): Promise<SessionList | undefined> {
  // `select *`: wrap_up_seconds comes with migration 0026, and is read when it is there.
  const [row] = await db.sql<{ id: string; name: string; wrap_up_seconds?: number | null; voicemail_action: string }>`
    select * from lead_lists where id = ${session.list_id} and workspace_id = ${session.workspace_id}`;
  if (!row) return undefined;
  return { id: row.id, name: row.name, wrapUpSeconds: row.wrap_up_seconds ?? null, voicemailAction: row.voicemail_action };
}

/**
 * The leads the runner would dial next for the session, without locking or reserving them: the
 * database's one definition of the queue, `dialer_session_queue` (db/migrations/0027_session_queue.sql),
 * which reserveNextLeads (src/db/dialer-sessions.ts) reserves from, in its order (due callbacks
 * earliest first, then the list's order). A paused or stopped session's queue is what it would dial.
 */
export async function sessionQueue(db: Queryable, session: DialerSessionViewRow, now: Date, limit = 5): Promise<SessionQueue> {
  const rows = await db.sql<{ id: string; name: string; company: string | null; phone: string; callback_at: Date | null; remaining: number }>`
    select l.id, l.name, l.company, l.phone, l.callback_at, (count(*) over ())::integer as remaining
    from dialer_session_queue(${session.id}::uuid, ${now.toISOString()}::timestamptz) q join leads l on l.id = q.id
    order by q.is_due_callback desc, q.due_at, q.created_at, q.id
    limit ${limit}::integer`;
  const remaining = rows[0]?.remaining ?? 0;
  return { next: rows.map((row) => ({ id: row.id, name: row.name, company: row.company, phone: row.phone, callbackAt: row.callback_at })), remaining };
}

/**
 * The session's call its rep spoke with last: the connected call while one is, or else the
 * latest call of the session answered by a person and not abandoned (the one a wrap-up is for).
 * Undefined before the first such call.
 */
export async function sessionTalkCall(db: Queryable, session: DialerSessionViewRow): Promise<SessionTalkCall | undefined> {
  const [row] = await db.sql<{
    id: string; lead_id: string | null; status: string; line_number: number; answered_at: Date | null; ended_at: Date | null;
    name: string | null; company: string | null; phone: string | null; email: string | null; notes: string | null; lead_status: string | null; owner_email: string | null;
  }>`
    select a.id, a.lead_id, a.status, a.line_number, a.answered_at, a.ended_at,
      l.name, l.company, l.phone, l.email, l.notes, l.status as lead_status, l.user_email as owner_email
    from active_calls a left join leads l on l.id = a.lead_id and l.workspace_id = a.workspace_id
    where a.session_id = ${session.id}
      and (a.id = ${session.connected_call_id}::uuid
        or (a.answered_at is not null and a.abandoned_at is null and a.connected_at is not null and coalesce(a.answered_by, 'human') not like 'machine%'))
    order by (a.id = ${session.connected_call_id}::uuid) is true desc, a.answered_at desc nulls last, a.id
    limit 1`;
  if (!row) return undefined;
  const lead =
    row.lead_id !== null && row.name !== null && row.phone !== null && row.lead_status !== null && row.owner_email !== null
      ? { id: row.lead_id, name: row.name, company: row.company, phone: row.phone, email: row.email, notes: row.notes, status: row.lead_status, ownerEmail: row.owner_email }
      : null;
  return { callId: row.id, leadId: row.lead_id, status: row.status, lineNumber: row.line_number, answeredAt: row.answered_at, endedAt: row.ended_at, lead };
}

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { linesAllowed } from '../core/abandonment.js';
import { answerVerdict, linesToDial, RUNNER_LEASE_SECONDS, RUNNER_PASS_MS, seedForLead } from '../core/dialer-session-runner.js';
import { skipReasonOf } from '../core/dialer-session.js';
import { mockConfigSchema } from '../core/mock-timeline.js';
import type { Clock, TelephonyProvider } from '../telephony/provider.js';
import { abandonmentRates, markAbandoned } from './abandonment.js';
import { findCallById, updateCallStatus, type ActiveCallRow } from './active-calls.js';
import type { Database, Queryable } from './database.js';
import {
  claimConnection,
  countSessionOutcome,
  heartbeatDialerSession,
  recordSessionLead,
  releaseConnection,
  releaseReservation,
  releaseStaleReservations,
  reserveNextLeads,
  stopDialerSession,
  type DialerSessionRow,
  type ReservedLead,
} from './dialer-sessions.js';
import { loadDialerSettings } from './dialer-settings.js';
import { openCall } from './place-call.js';

/**
 * The power-dial session runner, demo mode (issue 14; DESIGN PD1, PD2, CG1). Every pass
 * (RUNNER_PASS_MS), for each live session whose lease this process holds or can take:
 * 1. settles its calls: an answered human is claimed for the rep (claimConnection, first human
 *    wins, decided once in the database) or, losing, hears the safe-harbor message and is counted
 *    abandoned (47 CFR 64.1200(a)(7); 16 CFR 310.4(b)(4)) and hung up; a machine counts as a
 *    voicemail; the connected call's end frees the connection;
 * 2. when the session is active and its rep free (nobody connected, no wrap-up pending), dials
 *    each free line (src/core/dialer-session-runner.ts linesToDial, capped by linesAllowed with
 *    the list's 30-day abandonment rate and the workspace's limit) with the next reserved lead,
 *    through openCall (the one dial gate) with the session, the line and the lead. Inside openCall's
 *    transaction the session is re-read (it must still be active and hold the lead), so a pause or
 *    stop between reserving and dialing places no call; a gate refusal skips the lead with its
 *    reason; the call and the lead's `dialed` row commit together;
 * 3. stops the session `queue_empty` when nothing is left to dial and no call of it is live.
 * A rep in Twilio mode gets no dials: the session stays live and idle with `idle_reason` said
 * (Twilio sessions are not run yet). One bad session is logged and never stops the others (TR2).
 * Two processes never run one session at once: the lease (`runner_id`, `runner_until`, migration
 * 0025) is taken by a conditional UPDATE, and a lease not renewed within RUNNER_LEASE_SECONDS
 * passes to another process. The stored rows are the whole state: a restarted process carries on.
 */

export interface DialerSessionRunnerDeps {
  readonly db: Database;
  /** The demo-mode provider (the simulator) that plays each call. */
  readonly mock: TelephonyProvider;
  /** Runs passes and stamps times (heartbeats, leases, answers). */
  readonly clock: Clock;
  /** The dial gate's clock, ms since epoch (defaults to `clock`); tests pin calling hours with it. */
  readonly gateNow?: () => number;
  readonly logger: Logger;
  /** This process, in `dialer_sessions.runner_id`; a random id by default. */
  readonly instanceId?: string;
  /** Whether Twilio credentials are set: a rep's first settings start in demo mode without them. */
  readonly isTwilioConfigured?: boolean;
  readonly passMs?: number;
}

export interface DialerSessionRunner {
  /** One pass over every session; resolves when it is done (tests drive the runner with it). */
  runPass(): Promise<void>;
  /** Runs a pass every `passMs` until `stop`. */
  start(): void;
  /** Stops passes and gives up this process's leases (another process takes the sessions over). */
  stop(): Promise<void>;
}

const TWILIO_IDLE_REASON = 'This session is in Twilio mode, which power-dial sessions do not dial yet: switch to demo mode in Settings, or stop the session.';
const iso = (time: Date) => time.toISOString();

export function createDialerSessionRunner(deps: DialerSessionRunnerDeps): DialerSessionRunner {
  const { db, mock, clock, logger } = deps;
  const instanceId = deps.instanceId ?? `runner-${randomBytes(6).toString('hex')}`;
  const gateNow = deps.gateNow ?? (() => clock.now());
  const passMs = deps.passMs ?? RUNNER_PASS_MS;
  let cancelNext: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();

  /**
   * The sessions this process holds the lease of, after taking every lease it may; `renewed`: the
   * ones whose lease (and heartbeat) was written this pass. A held lease is renewed only in its
   * second half, so a session's row (a realtime table) is not rewritten on every pass.
   */
  async function leaseSessions(now: Date): Promise<{ held: DialerSessionRow[]; renewed: ReadonlySet<string> }> {
    const renewed = await db.sql<{ id: string }>`
      update dialer_sessions set runner_id = ${instanceId},
        runner_until = ${iso(now)}::timestamptz + ${RUNNER_LEASE_SECONDS}::integer * interval '1 second'
      where (status in ('active', 'paused')
          -- A stopped session's calls still ringing are settled too: a person answering one hears the message.
          or (status = 'stopped' and exists (select 1 from dialer_session_leads w
            where w.session_id = dialer_sessions.id and w.outcome = 'dialed' and w.settled_at is null)))
        and (runner_id is null or runner_until <= ${iso(now)}::timestamptz
          or (runner_id = ${instanceId} and runner_until <= ${iso(now)}::timestamptz + ${RUNNER_LEASE_SECONDS / 2}::float8 * interval '1 second'))
      returning id`;
    const held = await db.sql<DialerSessionRow>`
      select * from dialer_sessions
      where runner_id = ${instanceId} and runner_until > ${iso(now)}::timestamptz
        and (status in ('active', 'paused') or exists (select 1 from dialer_session_leads w
          where w.session_id = dialer_sessions.id and w.outcome = 'dialed' and w.settled_at is null))`;
    return { held, renewed: new Set(renewed.map((row) => row.id)) };
  }

  async function runPass(): Promise<void> {
    const now = new Date(clock.now());
    await releaseStaleReservations(db, now);
    const { held, renewed } = await leaseSessions(now);
    // Sessions run side by side (each rep's lines are independent); one that fails is logged and
    // tried again next pass, and never stops the others (TR2).
    await Promise.all(
      held.map(async (session) => {
        try {
          if (renewed.has(session.id)) await heartbeatDialerSession(db, session.id, now);
          await runSession(session, now);
        } catch (error) {
          logger.error({ err: error, sessionId: session.id }, 'power-dial session pass failed; will try again');
        }
      }),
    );
  }

  async function runSession(session: DialerSessionRow, now: Date): Promise<void> {
    await settleCalls(session.id, now);
    const [fresh] = await db.sql<DialerSessionRow & { archived: boolean; is_wrap_up: boolean | null }>`
      select s.*, l.archived_at is not null as archived, r.is_wrap_up from dialer_sessions s
      join lead_lists l on l.id = s.list_id left join rep_states r on r.user_email = s.user_email
      where s.id = ${session.id}`;
    if (!fresh || fresh.status !== 'active') return;
    const owner = { workspaceId: fresh.workspace_id, email: fresh.user_email };
    if (fresh.archived) {
      await stopDialerSession(db, owner, fresh.id, now, 'list_archived');
      return;
    }
    const settings = await loadDialerSettings(db, fresh.user_email, !(deps.isTwilioConfigured ?? false));
    const idleReason = settings.use_mock_dialer ? null : TWILIO_IDLE_REASON;
    if (idleReason !== fresh.idle_reason) await db.sql`update dialer_sessions set idle_reason = ${idleReason} where id = ${fresh.id}`;
    if (idleReason) return;

    const rates = await abandonmentRates(db, fresh.workspace_id, { now, listId: fresh.list_id, isMock: true });
    const listRate = rates.lists.find((list) => list.listId === fresh.list_id)?.percent ?? null;
    const liveLines = await db.sql<{ line_number: number }>`
      select line_number from active_calls where user_email = ${fresh.user_email} and status in ('dialing', 'ringing', 'in-progress')`;
    const lines = linesToDial({
      status: fresh.status,
      linesAllowed: linesAllowed(fresh.lines, listRate, rates.limitPercent),
      liveLines: liveLines.map((row) => row.line_number),
      isConnected: fresh.connected_call_id !== null,
      isWrapUp: fresh.is_wrap_up ?? false,
    });
    if (lines.length === 0) return;
    const reserved = await db.transaction((tx) => reserveNextLeads(tx, fresh.id, lines.length, now, lines));
    if (reserved.length === 0) {
      const [live] = await db.sql<{ count: number }>`
        select count(*)::int as count from active_calls where session_id = ${fresh.id} and status in ('dialing', 'ringing', 'in-progress')`;
      if ((live?.count ?? 0) === 0 && fresh.connected_call_id === null) await stopDialerSession(db, owner, fresh.id, now, 'queue_empty');
      return;
    }
    const mockConfig = mockConfigSchema.safeParse(settings.mock_config);
    for (const lead of reserved) {
      await dialLead(fresh, lead, mockConfig.success ? mockConfig.data : mockConfigSchema.parse({}), settings, now);
    }
  }

  async function dialLead(
    session: DialerSessionRow,
    lead: ReservedLead,
    mockConfig: Record<string, unknown> & { seed?: number | undefined },
    settings: { default_amd: boolean; default_recording: boolean },
    now: Date,
  ): Promise<void> {
    const lineNumber = lead.lineNumber ?? 1;
    const opened = await openCall(
      db,
      {
        userEmail: session.user_email,
        callSid: `MOCK${randomBytes(16).toString('hex')}`,
        lineNumber,
        toNumber: lead.phone,
        leadId: lead.leadId,
        leadName: lead.name,
        sessionId: session.id,
        provider: 'mock',
        statusSource: 'mock',
        amdEnabled: settings.default_amd,
        recordingEnabled: settings.default_recording,
        // Seeded per lead: a session over the same list plays the same way (unless the settings pin a seed).
        mockSeed: mockConfig.seed ?? seedForLead(lead.leadId),
        mockConfig,
      },
      gateNow(),
      {
        // Under the session's row lock (pause and stop take it FOR UPDATE): still active, still holding the lead.
        before: async (tx) => {
          const [held] = await tx.sql<{ ok: boolean }>`
            select true as ok from dialer_sessions s join lead_reservations r on r.session_id = s.id and r.lead_id = ${lead.leadId}
            where s.id = ${session.id} and s.status = 'active' for share of s`;
          return held ? undefined : { code: 'session_stopped', message: 'The session was paused or stopped, or let the lead go, before the dial: no call was placed.' };
        },
        after: async (tx, call) => {
          await recordSessionLead(tx, session.id, lead.leadId, { kind: 'dialed', callId: call.id }, now);
        },
      },
    );
    if (opened.ok) {
      const placed = await mock.placeCall(opened.value);
      if (!placed.ok) logger.warn({ sessionId: session.id, callId: opened.value.id, reason: placed.error.message }, 'a session call could not be played');
      return;
    }
    const reason = skipReasonOf(opened.error.code);
    if (reason) {
      await db.transaction((tx) => recordSessionLead(tx, session.id, lead.leadId, { kind: 'skipped', reason }, now));
      return;
    }
    // Not the lead's fault (a busy line, a pause or stop meanwhile): it goes back to the queue.
    // A paused session keeps nothing it did not dial; the next pass reserves again.
    await db.transaction((tx) => releaseReservation(tx, session.id, lead.leadId));
    if (opened.error.code !== 'session_stopped') logger.warn({ sessionId: session.id, leadId: lead.leadId, code: opened.error.code }, 'a session dial was not placed');
  }

  /**
   * PD1 and the counters, from the session's calls: each answered human not yet decided is
   * claimed or abandoned, in the order they answered; each ended call not yet settled is counted
   * once (`dialer_session_leads.settled_at`).
   */
  async function settleCalls(sessionId: string, now: Date): Promise<void> {
    const answered = await db.sql<ActiveCallRow>`
      select a.* from active_calls a
      where a.session_id = ${sessionId} and a.status = 'in-progress' and a.connected_at is null and a.abandoned_at is null
      order by a.answered_at, a.id`;
    for (const call of answered) {
      if (answerVerdict(call) !== 'human') continue;
      const lost = await db.transaction(async (tx) => {
        if (await claimConnection(tx, sessionId, call.id)) {
          await tx.sql`update active_calls set connected_at = ${iso(now)}::timestamptz where id = ${call.id} and connected_at is null`;
          return false;
        }
        return abandon(tx, sessionId, call.id, now);
      });
      if (lost) await hangUp(call.id, now);
    }

    const ended = await db.sql<ActiveCallRow & { lead_row: string; connected_at: Date | null; abandoned_at: Date | null }>`
      select a.*, w.lead_id as lead_row from dialer_session_leads w join active_calls a on a.id = w.call_id
      where w.session_id = ${sessionId} and w.outcome = 'dialed' and w.settled_at is null
        and a.status not in ('dialing', 'ringing', 'in-progress')`;
    for (const call of ended) {
      await db.transaction(async (tx) => {
        const [settled] = await tx.sql`
          update dialer_session_leads set settled_at = ${iso(now)}::timestamptz
          where session_id = ${sessionId} and lead_id = ${call.lead_row} and settled_at is null returning lead_id`;
        if (!settled) return;
        await releaseConnection(tx, sessionId, call.id);
        const verdict = answerVerdict(call);
        if (verdict === 'machine') await countSessionOutcome(tx, sessionId, 'voicemail');
        // A person who answered and hung up before any pass saw them: nobody was connected in time.
        else if (verdict === 'human' && call.connected_at === null && call.abandoned_at === null) await abandon(tx, sessionId, call.id, now);
      });
    }
  }

  /** A losing line's human: the safe-harbor message plays now, and the call counts as abandoned. */
  async function abandon(tx: Queryable, sessionId: string, callId: string, now: Date): Promise<boolean> {
    const marked = await markAbandoned(tx, callId, now, { safeHarborAt: now });
    if (marked) await countSessionOutcome(tx, sessionId, 'abandoned');
    return marked !== undefined;
  }

  /** Ends a losing line after its message (the simulator stops playing it; history follows, HI1). */
  async function hangUp(callId: string, now: Date): Promise<void> {
    const call = await findCallById(db, callId);
    if (!call) return;
    await mock.endCall(call);
    await updateCallStatus(db, callId, { status: 'completed', statusSource: 'system', endedAt: now });
  }

  function scheduleNext(): void {
    cancelNext = clock.schedule(clock.now() + passMs, () => {
      running = runPass()
        .catch((error: unknown) => logger.error({ err: error }, 'power-dial session pass failed'))
        .finally(() => {
          if (cancelNext) scheduleNext();
        });
    });
  }

  return {
    runPass,
    start() {
      if (!cancelNext) scheduleNext();
    },
    async stop() {
      cancelNext?.();
      cancelNext = undefined;
      await running;
      // Best effort: a lease not given up lapses after RUNNER_LEASE_SECONDS anyway.
      await db.sql`update dialer_sessions set runner_id = null, runner_until = null where runner_id = ${instanceId}`.catch((error: unknown) =>
        logger.warn({ err: error }, 'could not give up the power-dial session leases; they lapse on their own'),
      );
    },
  };
}

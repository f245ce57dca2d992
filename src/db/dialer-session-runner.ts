import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { linesAllowed, safeHarborMessage } from '../core/abandonment.js';
import {
  answerVerdict,
  isServerLost,
  linesToDial,
  machineActionOf,
  MIN_RING_SECONDS,
  RUNNER_LEASE_SECONDS,
  VERDICT_GRACE_SECONDS,
  RUNNER_PASS_MS,
  seedForLead,
} from '../core/dialer-session-runner.js';
import { skipReasonOf } from '../core/dialer-session.js';
import { mockConfigSchema } from '../core/mock-timeline.js';
import { createMockSessionLegs } from '../telephony/mock/session-legs.js';
import { OPT_OUT_KEY } from '../telephony/twilio/call-twiml.js';
import type { Clock, TelephonyProvider } from '../telephony/provider.js';
import type { SessionLegs } from '../telephony/session-legs.js';
import { abandonmentRates, markAbandoned, readCallCompliance } from './abandonment.js';
import type { ActiveCallRow } from './active-calls.js';
import type { Database, Queryable } from './database.js';
import {
  claimConnection,
  countSessionOutcome,
  heartbeatDialerSession,
  pauseDialerSession,
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
import { endWrapUp } from './rep-states.js';

/**
 * The power-dial session runner (issue 14; DESIGN PD1, PD2, CG1), one code path for demo mode (the
 * simulator) and Twilio mode. Every pass (RUNNER_PASS_MS), for each session whose lease this
 * process holds or can take:
 * 1. settles its calls, from the rows alone (facts, not arrival order): an answered human is
 *    claimed for the rep (claimConnection, first human wins, decided once in the database) and
 *    bridged, or, losing, hears the safe-harbor message and is counted abandoned
 *    (47 CFR 64.1200(a)(7); 16 CFR 310.4(b)(4)); a machine's verdict gets the list's voicemail
 *    drop or is hung up; once a human is connected, a line still ringing is hung up, but only after
 *    MIN_RING_SECONDS from its first ring (16 CFR 310.4(b)(4)(ii)); an ended call is counted once,
 *    and the connected call's end frees the connection and starts the list's wrap-up timer;
 * 2. ends the rep's wrap-up when that timer runs out;
 * 3. when the session is active and its rep free (nobody connected, no wrap-up), dials each free
 *    line (src/core/dialer-session-runner.ts linesToDial, capped by linesAllowed: only as many extra
 *    lines as the list's 30-day counts could lose within the workspace's abandonment limit, shared
 *    between the list's active sessions) with the next reserved lead through
 *    openCall (the one dial gate), with answering-machine detection on every leg. Inside openCall's
 *    transaction the session is re-read (still active, still holding the lead), so a pause or stop
 *    between reserving and dialing places no call; a gate refusal skips the lead with its reason;
 *    the call and the lead's `dialed` row commit together;
 * 4. stops the session `queue_empty` when nothing is left to dial and no call of it is live.
 * Every fact is written before the provider is told (SessionLegs), each once (a conditional UPDATE
 * on the row), so a pass repeated by another process does not act twice. One bad session is
 * logged and never stops the others (TR2). Two processes never run one session at once: the lease
 * (`runner_id`, `runner_until`) is taken by a conditional UPDATE; a lease given up (a clean stop) is
 * taken over as it is, one that ran out (its server died) pauses the session `server_lost` so the
 * rep resumes it on return. The stored rows are the whole state: a restarted process carries on.
 */

export interface DialerSessionRunnerDeps {
  readonly db: Database;
  /** The demo-mode provider (the simulator) that plays each call. */
  readonly mock: TelephonyProvider;
  /** Twilio mode's provider and legs; absent when the server has no Twilio credentials. */
  readonly twilio?: { readonly provider: TelephonyProvider; readonly legs: SessionLegs } | undefined;
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

const TWILIO_NOT_CONFIGURED_REASON = 'This session is in Twilio mode, but this server has no Twilio credentials: switch to demo mode in Settings, or stop the session.';
const iso = (time: Date) => time.toISOString();

/** A session call's row with the columns the session reads (migrations 0020, 0026). */
type SessionCallRow = ActiveCallRow & {
  connected_at: Date | null;
  abandoned_at: Date | null;
  ringing_at: Date | null;
  line_released_at: Date | null;
};

type SessionWithRep = DialerSessionRow & {
  archived: boolean;
  is_wrap_up: boolean | null;
  wrap_up_seconds: number | null;
  voicemail_action: string;
  voicemail_message: string | null;
};

export function createDialerSessionRunner(deps: DialerSessionRunnerDeps): DialerSessionRunner {
  const { db, mock, clock, logger } = deps;
  const instanceId = deps.instanceId ?? `runner-${randomBytes(6).toString('hex')}`;
  const gateNow = deps.gateNow ?? (() => clock.now());
  const passMs = deps.passMs ?? RUNNER_PASS_MS;
  const mockLegs = createMockSessionLegs({ db, mock, clock });
  let cancelNext: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();

  /** The legs of the mode a call was placed in (a rep switching modes mid-session does not move live calls). */
  const legsFor = (call: ActiveCallRow): SessionLegs | undefined => (call.provider === 'twilio' ? deps.twilio?.legs : mockLegs);

  /** Tells the provider, after the facts are written; a failure is logged (the row already says what should happen). */
  async function act(call: ActiveCallRow, what: string, action: (legs: SessionLegs) => Promise<void>): Promise<void> {
    const legs = legsFor(call);
    if (!legs) return void logger.warn({ callId: call.id, what }, 'no provider for a session call in Twilio mode; it ends as Twilio reports it');
    try {
      await action(legs);
    } catch (error) {
      logger.error({ err: error, callId: call.id, what }, 'the provider did not take a session line action');
    }
  }

  /**
   * Takes every lease this process may and returns the sessions it holds; `renewed`: the ones whose
   * lease (and heartbeat) was written this pass. A held lease is renewed only in its second half,
   * so a session's row (a realtime table) is not rewritten on every pass. Only live sessions and
   * stopped ones with calls still to settle are read (two partial indexes), not every session ever
   * made. A session taken from a server that was lost is paused `server_lost`.
   */
  async function leaseSessions(now: Date): Promise<{ held: DialerSessionRow[]; renewed: ReadonlySet<string> }> {
    const taken = await db.sql<{ id: string; previous_runner: string | null; previous_until: Date | null }>`
      with candidates as (
        select id from dialer_sessions where status in ('active', 'paused')
        union
        -- A stopped session's calls still ringing are settled too: a person answering one hears the message.
        select session_id from dialer_session_leads where outcome = 'dialed' and settled_at is null
      ), due as (
        select s.id, s.runner_id, s.runner_until from dialer_sessions s join candidates c on c.id = s.id
        where s.runner_id is null or s.runner_until <= ${iso(now)}::timestamptz
          or (s.runner_id = ${instanceId} and s.runner_until <= ${iso(now)}::timestamptz + ${RUNNER_LEASE_SECONDS / 2}::float8 * interval '1 second')
        for no key update of s skip locked
      )
      update dialer_sessions s set runner_id = ${instanceId},
        runner_until = ${iso(now)}::timestamptz + ${RUNNER_LEASE_SECONDS}::integer * interval '1 second'
      from due where s.id = due.id
      returning s.id, due.runner_id as previous_runner, due.runner_until as previous_until`;
    for (const lease of taken) {
      if (!isServerLost({ runnerId: lease.previous_runner, runnerUntil: lease.previous_until }, instanceId, now)) continue;
      const [session] = await db.sql<DialerSessionRow>`select * from dialer_sessions where id = ${lease.id}`;
      if (session?.status !== 'active') continue;
      await pauseDialerSession(db, { workspaceId: session.workspace_id, email: session.user_email }, session.id, now, 'server_lost');
      logger.warn({ sessionId: session.id, previousRunner: lease.previous_runner }, 'took over a session whose server was lost; paused it for the rep to resume');
    }
    const held = await db.sql<DialerSessionRow>`
      select s.* from dialer_sessions s
      where s.id in (
          select id from dialer_sessions where status in ('active', 'paused')
          union
          select session_id from dialer_session_leads where outcome = 'dialed' and settled_at is null)
        and s.runner_id = ${instanceId} and s.runner_until > ${iso(now)}::timestamptz`;
    return { held, renewed: new Set(taken.map((row) => row.id)) };
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

  async function readSession(sessionId: string): Promise<SessionWithRep | undefined> {
    const [row] = await db.sql<SessionWithRep>`
      select s.*, l.archived_at is not null as archived, l.wrap_up_seconds, l.voicemail_action, l.voicemail_message, r.is_wrap_up
      from dialer_sessions s
      join lead_lists l on l.id = s.list_id left join rep_states r on r.user_email = s.user_email
      where s.id = ${sessionId}`;
    return row;
  }

  async function runSession(session: DialerSessionRow, now: Date): Promise<void> {
    const before = await readSession(session.id);
    if (!before) return;
    await settleCalls(before, now);
    const fresh = await readSession(session.id);
    if (!fresh) return;
    await runWrapUpTimer(fresh, now);
    if (fresh.status !== 'active') return;
    const owner = { workspaceId: fresh.workspace_id, email: fresh.user_email };
    if (fresh.archived) {
      await stopDialerSession(db, owner, fresh.id, now, 'list_archived');
      return;
    }
    const settings = await loadDialerSettings(db, fresh.user_email, !(deps.isTwilioConfigured ?? false));
    const isDemo = settings.use_mock_dialer;
    const idleReason = isDemo || deps.twilio ? null : TWILIO_NOT_CONFIGURED_REASON;
    if (idleReason !== fresh.idle_reason) await db.sql`update dialer_sessions set idle_reason = ${idleReason} where id = ${fresh.id}`;
    if (idleReason) return;

    const rates = await abandonmentRates(db, fresh.workspace_id, { now, listId: fresh.list_id, isMock: isDemo });
    const listFigures = rates.lists.find((list) => list.listId === fresh.list_id) ?? { answered: 0, abandoned: 0 };
    const [sharing] = await db.sql<{ count: number }>`
      select count(*)::int as count from dialer_sessions where list_id = ${fresh.list_id} and status = 'active'`;
    const liveLines = await db.sql<{ line_number: number }>`
      select line_number from active_calls where user_email = ${fresh.user_email} and status in ('dialing', 'ringing', 'in-progress')`;
    const lines = linesToDial({
      status: fresh.status,
      linesAllowed: linesAllowed(fresh.lines, listFigures, rates.limitPercent, Math.max(1, sharing?.count ?? 1)),
      liveLines: liveLines.map((row) => row.line_number),
      isConnected: fresh.connected_call_id !== null,
      isWrapUp: fresh.is_wrap_up ?? false,
    });
    if (lines.length === 0) return;
    const reserved = await db.transaction(async (tx) => {
      // A pass reserves and dials in one go, so a reservation of the session's found now was left by
      // a pass that died (a killed server, an error) before its dial: the lead goes back to the queue.
      await tx.sql`delete from lead_reservations where session_id = ${fresh.id}`;
      return reserveNextLeads(tx, fresh.id, lines.length, now, lines);
    });
    if (reserved.length === 0) {
      const [live] = await db.sql<{ count: number }>`
        select count(*)::int as count from active_calls where session_id = ${fresh.id} and status in ('dialing', 'ringing', 'in-progress')`;
      if ((live?.count ?? 0) === 0 && fresh.connected_call_id === null) await stopDialerSession(db, owner, fresh.id, now, 'queue_empty');
      return;
    }
    const mockConfig = mockConfigSchema.safeParse(settings.mock_config);
    for (const lead of reserved) {
      await dialLead(fresh, lead, isDemo ? { mockConfig: mockConfig.success ? mockConfig.data : mockConfigSchema.parse({}) } : undefined, settings, now);
    }
  }

  /**
   * The list's wrap-up timer (`lead_lists.wrap_up_seconds`): started when the connected call's end
   * is settled, it ends the rep's wrap-up when it runs out, and the session dials on. A wrap-up the
   * rep ended first (a disposition saved) just clears it.
   */
  async function runWrapUpTimer(session: SessionWithRep, now: Date): Promise<void> {
    if (session.wrap_up_until === null) return;
    if (session.is_wrap_up !== true) {
      await db.sql`update dialer_sessions set wrap_up_until = null where id = ${session.id} and wrap_up_until is not null`;
      return;
    }
    if (session.wrap_up_until.getTime() > now.getTime()) return;
    await db.transaction(async (tx) => {
      await endWrapUp(tx, session.user_email);
      await tx.sql`update dialer_sessions set wrap_up_until = null where id = ${session.id}`;
    });
  }

  async function dialLead(
    session: DialerSessionRow,
    lead: ReservedLead,
    demo: { readonly mockConfig: Record<string, unknown> & { seed?: number | undefined } } | undefined,
    settings: { default_recording: boolean },
    now: Date,
  ): Promise<void> {
    const lineNumber = lead.lineNumber ?? 1;
    const provider = demo ? mock : deps.twilio?.provider;
    if (!provider) return void (await db.transaction((tx) => releaseReservation(tx, session.id, lead.leadId)));
    const opened = await openCall(
      db,
      {
        userEmail: session.user_email,
        callSid: demo ? `MOCK${randomBytes(16).toString('hex')}` : null,
        lineNumber,
        toNumber: lead.phone,
        leadId: lead.leadId,
        leadName: lead.name,
        sessionId: session.id,
        provider: demo ? 'mock' : 'twilio',
        statusSource: demo ? 'mock' : 'system',
        // Every leg listens for a machine: a session never bridges a machine to the rep.
        amdEnabled: true,
        recordingEnabled: settings.default_recording,
        // Seeded per lead: a session over the same list plays the same way (unless the settings pin a seed).
        mockSeed: demo ? (demo.mockConfig.seed ?? seedForLead(lead.leadId)) : null,
        mockConfig: demo ? demo.mockConfig : null,
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
      const placed = await provider.placeCall(opened.value);
      if (!placed.ok) logger.warn({ sessionId: session.id, callId: opened.value.id, reason: placed.error.message }, 'a session call could not be placed');
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
   * PD1, the machine rule, the ring minimum and the counters, from the session's calls: each
   * answered human not yet decided is claimed (and bridged) or abandoned (and hears the message),
   * in the order they answered; each machine still live gets the list's drop or is hung up; a line
   * ringing past MIN_RING_SECONDS while the rep is connected is hung up; each ended call not yet
   * settled is counted once (`dialer_session_leads.settled_at`).
   */
  async function settleCalls(session: SessionWithRep, now: Date): Promise<void> {
    const sessionId = session.id;
    const live = await db.sql<SessionCallRow>`
      select a.* from active_calls a
      where a.session_id = ${sessionId} and a.status in ('dialing', 'ringing', 'in-progress') and a.line_released_at is null
      order by a.answered_at nulls last, a.id`;
    for (const call of live) {
      const verdict = answerVerdict(call);
      if (verdict === 'human' && call.status === 'in-progress' && call.connected_at === null && call.abandoned_at === null) {
        // A session paused because its server was lost connects nobody: its rep may be gone.
        if (session.status === 'paused' && session.pause_reason === 'server_lost') {
          await loseLine(sessionId, call, now);
          continue;
        }
        // Stamped when decided, not when the pass began: the wait a person had is recorded as it was.
        const decidedAt = new Date(clock.now());
        const won = await db.transaction(async (tx) => {
          if (!(await claimConnection(tx, sessionId, call.id))) return false;
          await tx.sql`update active_calls set connected_at = ${iso(decidedAt)}::timestamptz where id = ${call.id} and connected_at is null`;
          return true;
        });
        if (won) await act(call, 'bridge', (legs) => legs.bridge(call));
        else await loseLine(sessionId, call, decidedAt);
      } else if (verdict === 'machine' && call.status === 'in-progress') {
        await dropMachine(session, call, now);
      } else if (verdict === 'unanswered' && isRingingUnwanted(session) && call.ringing_at !== null
          && now.getTime() - call.ringing_at.getTime() >= MIN_RING_SECONDS * 1000) {
        if (await releaseLine(call.id, now)) await act(call, 'hang up a ringing line', (legs) => legs.hangUp(call));
      }
    }

    const ended = await db.sql<SessionCallRow & { lead_row: string }>`
      select a.*, w.lead_id as lead_row from dialer_session_leads w join active_calls a on a.id = w.call_id
      where w.session_id = ${sessionId} and w.outcome = 'dialed' and w.settled_at is null
        and a.status not in ('dialing', 'ringing', 'in-progress')`;
    for (const call of ended) {
      const verdict = answerVerdict(call);
      // Answered, ended, no verdict yet: it may still come (facts, not arrival order).
      if (verdict === 'pending' && (call.ended_at === null || now.getTime() - call.ended_at.getTime() < VERDICT_GRACE_SECONDS * 1000)) continue;
      await db.transaction(async (tx) => {
        const [settled] = await tx.sql`
          update dialer_session_leads set settled_at = ${iso(now)}::timestamptz
          where session_id = ${sessionId} and lead_id = ${call.lead_row} and settled_at is null returning lead_id`;
        if (!settled) return;
        if (await releaseConnection(tx, sessionId, call.id)) {
          if (session.wrap_up_seconds !== null) {
            await tx.sql`
              update dialer_sessions set wrap_up_until = ${iso(now)}::timestamptz + ${session.wrap_up_seconds}::integer * interval '1 second'
              where id = ${sessionId}`;
          }
        }
        if (verdict === 'machine') await countSessionOutcome(tx, sessionId, 'voicemail');
        // A person who answered and hung up before any pass saw them (or before any verdict came): nobody was connected in time.
        else if ((verdict === 'human' || verdict === 'pending') && call.connected_at === null && call.abandoned_at === null) await abandon(tx, sessionId, call.id, now, false);
        // The winner, bridged, but the rep never took the call: the provider abandoned it (a losing
        // line's abandonment is the session's own, with the line released, and already counted).
        else if (call.abandoned_at !== null && call.line_released_at === null) await countSessionOutcome(tx, sessionId, 'connection_abandoned');
      });
    }
  }

  /**
   * Whether the session has no use for a line still ringing: someone is connected to the rep, the
   * session is stopped, or its server was lost. Such a line is hung up after MIN_RING_SECONDS.
   */
  function isRingingUnwanted(session: SessionWithRep): boolean {
    return session.connected_call_id !== null || session.status === 'stopped' || (session.status === 'paused' && session.pause_reason === 'server_lost');
  }

  /** Marks that the session let the line go; true only for the first to do so (the provider is told once). */
  async function releaseLine(callId: string, now: Date, voicemailDropped = false): Promise<boolean> {
    const rows = await db.sql`
      update active_calls set line_released_at = ${iso(now)}::timestamptz,
        voicemail_dropped_at = case when ${voicemailDropped} then ${iso(now)}::timestamptz end
      where id = ${callId} and line_released_at is null returning id`;
    return rows.length > 0;
  }

  /** A losing line's human: abandoned, with the safe-harbor message starting now, then hung up. */
  async function loseLine(sessionId: string, call: ActiveCallRow, now: Date): Promise<void> {
    const lost = await db.transaction(async (tx) => {
      const isAbandoned = await abandon(tx, sessionId, call.id, now);
      await tx.sql`update active_calls set line_released_at = ${iso(now)}::timestamptz where id = ${call.id} and line_released_at is null`;
      return isAbandoned;
    });
    if (!lost) return;
    const [compliance, settings] = await Promise.all([readCallCompliance(db, call.id), loadDialerSettings(db, call.user_email, false)]);
    // The number to opt out by: the workspace's, else the caller ID the callee saw; on a real call
    // the key works too (the message plays inside a Gather, src/telephony/twilio/call-twiml.ts).
    const message = safeHarborMessage({
      callerName: compliance?.callerName ?? 'us',
      optOutNumber: compliance?.optOutNumber ?? settings.caller_id ?? null,
      ...(call.provider === 'twilio' ? { optOutKey: OPT_OUT_KEY } : {}),
    });
    await act(call, 'safe harbor', (legs) => legs.playSafeHarbor(call, message));
  }

  /** An answering machine after the beep: the list's voicemail drop, or a hang-up; never the rep. */
  async function dropMachine(session: SessionWithRep, call: ActiveCallRow, now: Date): Promise<void> {
    const action = machineActionOf(session);
    if (!(await releaseLine(call.id, now, action.kind === 'leave'))) return;
    await act(call, 'voicemail drop', (legs) => legs.dropVoicemail(call, action.kind === 'leave' ? action.message : null));
  }

  /**
   * A losing line's human counts as abandoned; `withMessage`: the safe-harbor message starts now
   * (not for a callee who already hung up: nobody heard it).
   */
  async function abandon(tx: Queryable, sessionId: string, callId: string, now: Date, withMessage = true): Promise<boolean> {
    const marked = await markAbandoned(tx, callId, now, withMessage ? { safeHarborAt: now } : {});
    if (marked) await countSessionOutcome(tx, sessionId, 'abandoned');
    return marked !== undefined;
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

import type { Logger } from 'pino';
import { canTransition, isTerminal } from '../../core/call-status.js';
import { fail, ok, type Result } from '../../core/errors.js';
import { mockConfigSchema, mockStepStatus, planMockTimeline, type MockPlan, type MockStep } from '../../core/mock-timeline.js';
import { describeZodError } from '../../core/zod-error.js';
import { updateCallStatus, findCallById, listUnfinishedCalls, type ActiveCallRow } from '../../db/active-calls.js';
import { recordCallFacts } from '../../db/call-facts.js';
import type { Database } from '../../db/database.js';
import type { Clock, TelephonyProvider } from '../provider.js';

/**
 * How late a step may be played after a restart. A call whose steps are overdue by more than
 * this was interrupted for real (the rep saw it freeze), so it is ended with a reason instead
 * of being replayed as if nothing happened.
 */
export const DEFAULT_RESUME_GRACE_MS = 15_000;

/** How often a process looks for simulated calls nobody is playing; shorter than the grace period. */
export const SWEEP_INTERVAL_MS = 5_000;

export const RESTART_ERROR = 'The server restarted during this simulated call, so the call was ended.';
export const DATABASE_UNREACHABLE_ERROR = 'The database could not be reached during this simulated call, so the call was ended.';
export const INVALID_CONFIG_ERROR = 'This simulated call has demo-mode settings that are not valid, so it was ended';

function stepUpdate(step: Exclude<MockStep, { kind: 'verdict' }>) {
  switch (step.kind) {
    case 'ringing':
      return { status: 'ringing', statusSource: 'mock' } as const;
    case 'answered':
      return { status: 'in-progress', statusSource: 'mock', answeredAt: new Date(step.at), answeredBy: step.answeredBy } as const;
    case 'ended':
      return { status: step.status, statusSource: 'mock', endedAt: new Date(step.at), lastError: step.lastError, answeredBy: step.answeredBy } as const;
    default: {
      const unreachable: never = step;
      throw new Error(`unknown mock step ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Demo mode's provider. Each call's timeline is recomputed from its row (seed, config, start
 * time), so the only in-memory state is the timers, and a restart loses nothing (RS1).
 */
export function createMockProvider({
  db,
  clock,
  logger,
  resumeGraceMs = DEFAULT_RESUME_GRACE_MS,
  sweepIntervalMs = SWEEP_INTERVAL_MS,
}: {
  db: Database;
  clock: Clock;
  logger: Logger;
  resumeGraceMs?: number;
  sweepIntervalMs?: number;
}): TelephonyProvider {
  const timers = new Map<string, Array<() => void>>();
  /** Calls this process was playing when a step could not be written: the database was unreachable. */
  const interruptedByDatabase = new Set<string>();

  /** TR2: the stored config is input too; a row whose config is not valid gets no plan. */
  function planOf(call: ActiveCallRow): Result<MockPlan> {
    const config = mockConfigSchema.safeParse(call.mock_config ?? {});
    if (!config.success) return fail('invalid_request', `${INVALID_CONFIG_ERROR} (${describeZodError(config.error)}).`);
    return ok(planMockTimeline(call.mock_seed ?? 0, config.data, call.started_at.getTime(), call.amd_enabled, call.session_id !== null));
  }

  /** Ends a call `failed`; `endedAt` is when it was last known alive, when that is known. */
  async function endWithReason(callId: string, lastError: string, endedAt?: number): Promise<void> {
    await updateCallStatus(db, callId, { status: 'failed', statusSource: 'mock', lastError, ...(endedAt === undefined ? {} : { endedAt: new Date(endedAt) }) });
    logger.warn({ callId, reason: lastError }, 'ended a simulated call');
  }

  /** Plays one step; false when it could not be written (the sweep then takes the call over). */
  async function playStep(callId: string, step: MockStep): Promise<boolean> {
    try {
      // A verdict is a fact on the live call, not a move of its status.
      if (step.kind === 'verdict') await recordCallFacts(db, callId, { answeredBy: step.answeredBy });
      else await updateCallStatus(db, callId, stepUpdate(step));
    } catch (error) {
      logger.error({ err: error, callId, step }, 'mock call step failed; the sweep will resume the call');
      cancel(callId);
      interruptedByDatabase.add(callId);
      return false;
    }
    if (step.kind === 'ended') timers.delete(callId);
    return true;
  }

  /**
   * Steps are written one after another and in plan order. Steps due at the same moment (an
   * answer and a zero-second hang-up) can have their timers fire in either order (each delay is
   * read off the clock separately), and on a connection pool two concurrent writes can commit in
   * either order; either way the status machine would skip the answer. So a step's timer plays
   * every earlier step not yet played, then itself.
   */
  function schedule(callId: string, steps: readonly MockStep[]): void {
    let played: Promise<unknown> = Promise.resolve();
    let next = 0;
    const cancels = steps.map((_, index) =>
      clock.schedule(steps[index]?.at ?? 0, () => {
        played = played.then(async () => {
          while (next <= index && timers.has(callId)) {
            const step = steps[next++];
            if (step && !(await playStep(callId, step))) return;
          }
        });
      }),
    );
    timers.set(callId, cancels);
  }

  function cancel(callId: string): void {
    for (const stop of timers.get(callId) ?? []) stop();
    timers.delete(callId);
  }

  /**
   * Picks up every unfinished simulated call this process is not playing. Steps the row has not
   * reached yet are played now, unless one was due longer than the grace period ago: then the
   * process that played the call died, and the call is ended with a reason.
   */
  async function recoverCall(call: ActiveCallRow, now: number): Promise<void> {
    const plan = planOf(call);
    if (!plan.ok) return endWithReason(call.id, plan.error.message);
    const { steps } = plan.value;
    const missed = steps.filter(
      (step) => step.at <= now && (step.kind === 'verdict' ? !isTerminal(call.status) && call.answered_by === null : canTransition(call.status, mockStepStatus(step))),
    );
    const oldestMissed = missed[0];
    if (oldestMissed && now - oldestMissed.at > resumeGraceMs) {
      // This process knows whether it was playing the call; otherwise the process that was died.
      // It ended, for the rep, when its first unplayed step fell due, not when this sweep found it.
      await endWithReason(call.id, interruptedByDatabase.has(call.id) ? DATABASE_UNREACHABLE_ERROR : RESTART_ERROR, oldestMissed.at);
      interruptedByDatabase.delete(call.id);
      return;
    }
    for (const step of missed) if (!(await playStep(call.id, step))) return;
    interruptedByDatabase.delete(call.id);
    const fresh = await findCallById(db, call.id);
    if (fresh && !isTerminal(fresh.status)) schedule(call.id, steps.filter((step) => step.at > now));
    if (missed.length > 0) logger.info({ callId: call.id, replayed: missed.length }, 'resumed a simulated call');
  }

  /**
   * One bad row never stops the sweep (TR2): each call is recovered on its own, and a call that
   * cannot be recovered is logged and tried again on the next sweep.
   */
  async function recover(): Promise<void> {
    const now = clock.now();
    for (const call of await listUnfinishedCalls(db, 'mock')) {
      if (timers.has(call.id)) continue;
      try {
        await recoverCall(call, now);
      } catch (error) {
        logger.error({ err: error, callId: call.id }, 'could not resume a simulated call; will try again');
      }
    }
  }

  let cancelSweep: (() => void) | undefined;
  function scheduleSweep(): void {
    cancelSweep = clock.schedule(clock.now() + sweepIntervalMs, () => {
      void recover()
        .catch((error: unknown) => logger.error({ err: error }, 'mock call sweep failed'))
        .finally(() => {
          if (cancelSweep) scheduleSweep();
        });
    });
  }

  return {
    async placeCall(call) {
      const plan = planOf(call);
      if (!plan.ok) {
        await endWithReason(call.id, plan.error.message);
        return plan;
      }
      schedule(call.id, plan.value.steps);
      return ok(call);
    },
    async endCall(call) {
      cancel(call.id);
    },
    async recoverUnfinishedCalls() {
      await recover();
      // Keep watch for calls whose process died while this one runs (several processes share one database).
      if (!cancelSweep) scheduleSweep();
    },
    stop() {
      cancelSweep?.();
      cancelSweep = undefined;
      for (const callId of [...timers.keys()]) cancel(callId);
    },
  };
}

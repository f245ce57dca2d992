import type { Logger } from 'pino';
import { canTransition, isTerminal } from '../../core/call-status.js';
import { ok } from '../../core/errors.js';
import { mockConfigSchema, mockStepStatus, planMockTimeline, type MockStep } from '../../core/mock-timeline.js';
import { updateCallStatus, findCallById, listUnfinishedCalls, type ActiveCallRow } from '../../db/active-calls.js';
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

function stepUpdate(step: MockStep) {
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

  function planOf(call: ActiveCallRow) {
    const config = mockConfigSchema.parse(call.mock_config ?? {});
    return planMockTimeline(call.mock_seed ?? 0, config, call.started_at.getTime(), call.amd_enabled);
  }

  async function playStep(callId: string, step: MockStep): Promise<void> {
    try {
      await updateCallStatus(db, callId, stepUpdate(step));
    } catch (error) {
      logger.error({ err: error, callId, step }, 'mock call step failed');
    }
    if (step.kind === 'ended') timers.delete(callId);
  }

  function schedule(callId: string, steps: readonly MockStep[]): void {
    const cancels = steps.map((step) => clock.schedule(step.at, () => void playStep(callId, step)));
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
  async function recover(): Promise<void> {
    const now = clock.now();
    for (const call of await listUnfinishedCalls(db, 'mock')) {
      if (timers.has(call.id)) continue;
      const steps = planOf(call).steps;
      const missed = steps.filter((step) => step.at <= now && canTransition(call.status, mockStepStatus(step)));
      const oldestMissed = missed[0];
      if (oldestMissed && now - oldestMissed.at > resumeGraceMs) {
        await updateCallStatus(db, call.id, { status: 'failed', statusSource: 'mock', lastError: RESTART_ERROR });
        logger.warn({ callId: call.id }, 'ended a simulated call interrupted by a restart');
        continue;
      }
      for (const step of missed) await playStep(call.id, step);
      const fresh = await findCallById(db, call.id);
      if (fresh && !isTerminal(fresh.status)) schedule(call.id, steps.filter((step) => step.at > now));
      if (missed.length > 0) logger.info({ callId: call.id, replayed: missed.length }, 'resumed a simulated call');
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
      schedule(call.id, planOf(call).steps);
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

import { fail, ok, type AppError } from '../core/errors.js';
import { insertActiveCall, type ActiveCallRow, type NewCall } from './active-calls.js';
import type { Database, Queryable } from './database.js';
import { lockDialGate } from './dial-gate-lock.js';
import { evaluateDialGate, prepareDial, recordDialRefusal } from './dial-gate.js';

/** A refusal of the dial gate: its code and message, and what the client shows beside them. */
export interface DialRefusal extends AppError {
  readonly details: Readonly<Record<string, unknown>>;
}

export type OpenCallResult = { ok: true; value: ActiveCallRow } | { ok: false; error: AppError | DialRefusal };

/**
 * Work a caller does inside openCall's transaction (a power-dial session's, src/db/dialer-session-runner.ts):
 * `before` runs first, under the gate's lock, and refuses the dial with an error (no call, no
 * refusal recorded: the dial was never asked of the gate); `after` runs with the inserted row.
 */
export interface OpenCallHooks {
  readonly before?: (tx: Queryable) => Promise<AppError | undefined>;
  readonly after?: (tx: Queryable, call: ActiveCallRow) => Promise<void>;
}

/**
 * Opens a call (its `active_calls` row in `dialing`) through the one dial gate (CG1,
 * src/db/dial-gate.ts): in one transaction it takes the gate's lock for (workspace, number),
 * gathers the facts (do-not-call, calling hours in the callee's zones, attempts), and either
 * inserts the row with the gate's facts, the lead's list and the recording decision, or writes no
 * call and one `compliance_events` row with the reason (that transaction commits). One live call
 * per line. A call with an extension is stored with it and without AMD.
 * `clockNowMs` is the server's clock; a demo call's gate adds its user's demo clock offset.
 * Errors: `do_not_call`, `outside_calling_hours`, `attempt_limit_reached` (409, with `details`:
 * the callee's local time, `opensAt` or `nextAttemptAt`, the rule), `line_busy` (409),
 * `forbidden` (403) for a user of no workspace; whatever `hooks.before` returns.
 */
export async function openCall(db: Database, call: NewCall, clockNowMs: number, hooks: OpenCallHooks = {}): Promise<OpenCallResult> {
  // Outside the transaction: locating the callee may load phone data, and no lock waits on it.
  const prepared = await prepareDial(db, {
    userEmail: call.userEmail,
    phoneNumber: call.toNumber,
    leadId: call.leadId,
    provider: call.provider,
    recordingEnabled: call.recordingEnabled,
    clockNowMs,
  });
  if (!prepared) return fail('forbidden', 'This account is not a member of a workspace: it cannot place calls.');
  return db.transaction(async (tx): Promise<OpenCallResult> => {
    await lockDialGate(tx, prepared.workspaceId, call.toNumber);
    const refused = await hooks.before?.(tx);
    if (refused) return { ok: false, error: refused };
    const gate = await evaluateDialGate(tx, prepared);
    const { decision } = gate;
    if (!decision.allowed) {
      const message = `${decision.message} The call was not placed.`;
      await recordDialRefusal(tx, prepared, gate, message);
      const details = {
        rule: decision.rule,
        calleeLocalTime: decision.calleeLocalTime,
        ...(decision.opensAt === undefined ? {} : { opensAt: decision.opensAt }),
        ...(decision.nextAttemptAt === undefined ? {} : { nextAttemptAt: decision.nextAttemptAt }),
        zones: gate.facts.location.zones,
        regions: gate.facts.location.regions,
        localTimes: gate.facts.hours.localTimes,
      };
      return { ok: false, error: { code: decision.code, message, details } };
    }
    // Twilio ignores MachineDetection when SendDigits is given, and a switchboard answering would
    // be taken for a machine anyway: a call to an extension is made without answering-machine detection.
    const row = await insertActiveCall(tx, {
      ...(call.extension ? { ...call, amdEnabled: false } : call),
      listId: gate.listId,
      compliance: gate.details,
      recordingDecision: gate.recording.decision,
    });
    if (!row) return fail('line_busy', 'That line already has a live call: hang it up or pick another line.');
    await hooks.after?.(tx, row);
    return ok(row);
  });
}


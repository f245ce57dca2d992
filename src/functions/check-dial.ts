import { z } from 'zod';
import { appErrorResponse } from '../api/http.js';
import { EXTENSION_PATTERN } from '../core/phone-number.js';
import { evaluateDialGate, prepareDial } from '../db/dial-gate.js';
import { requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { resolveCallTarget } from './place-call.js';

const checkDialSchema = z
  .object({
    to: z.string().min(1, 'to is required').max(100),
    leadId: z.uuid('leadId must be a lead id').nullish(),
    extension: z.string().trim().regex(EXTENSION_PATTERN, 'extension is 1 to 10 digits').nullish(),
    // Which clock the gate uses: a demo call's (the demo clock offset applies) or a real call's. Default: the caller's mode.
    mock: z.boolean('mock is true or false').optional(),
  })
  .strict();

/**
 * `checkDial {to, leadId?, extension?, mock?}` (any member) → `{allowed, code?, message?, rule?,
 * calleeLocalTime?, opensAt?, nextAttemptAt?, zones, regions, localTimes, attempts, caps,
 * recordingDecision}`: what the dial gate (CG1) would decide for the caller dialing `to` now, for
 * the UI's "can I call this now" indicator. The same facts and decision as a dial, read without
 * the gate's lock; it writes nothing, so a dial a moment later may still be refused.
 * Errors: `invalid_request`, `invalid_phone_number` (400), `lead_not_found` (404), `forbidden` (403).
 */
export const checkDial: FunctionHandler = async (request, caller, { db, clock }) => {
  const input = await parseBody(request, checkDialSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  const target = await resolveCallTarget(db, caller, { userEmail: member.value.email, to: input.value.to, extension: input.value.extension, leadId: input.value.leadId });
  if (!target.ok) return appErrorResponse(target.error);
  // Read, not created: a dry run writes nothing, not even first-use settings (demo mode is the default then).
  const [settings] = await db.sql<{ use_mock_dialer: boolean; default_recording: boolean }>`
    select use_mock_dialer, default_recording from dialer_settings where user_email = ${member.value.email}`;
  const isMock = input.value.mock ?? settings?.use_mock_dialer ?? true;
  const prepared = await prepareDial(db, {
    userEmail: member.value.email,
    phoneNumber: target.value.toNumber,
    leadId: target.value.leadId,
    provider: isMock ? 'mock' : 'twilio',
    recordingEnabled: settings?.default_recording ?? false,
    clockNowMs: clock?.now() ?? Date.now(),
  });
  if (!prepared) return appErrorResponse({ code: 'forbidden', message: 'This account is not a member of a workspace.' });
  const { decision, facts, recording } = await evaluateDialGate(db, prepared);
  const counts = (history: { lifetime: number; perDay: number; last24h: readonly string[] }) => ({ lifetime: history.lifetime, perDay: history.perDay, per24h: history.last24h.length });
  return Response.json({
    allowed: decision.allowed,
    ...(decision.allowed
      ? { rule: decision.rule, calleeLocalTime: facts.hours.localTimes[0]?.time ?? null }
      : {
          code: decision.code,
          message: decision.message,
          rule: decision.rule,
          calleeLocalTime: decision.calleeLocalTime,
          ...(decision.opensAt === undefined ? {} : { opensAt: decision.opensAt }),
          ...(decision.nextAttemptAt === undefined ? {} : { nextAttemptAt: decision.nextAttemptAt }),
        }),
    now: facts.now,
    zones: facts.location.zones,
    regions: facts.location.regions,
    localTimes: facts.hours.localTimes,
    attempts: { number: counts(facts.attempts.number), lead: facts.attempts.lead ? counts(facts.attempts.lead) : null },
    caps: facts.caps,
    recordingDecision: recording.decision,
  });
};

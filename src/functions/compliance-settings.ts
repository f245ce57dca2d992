import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { RULE_DAYS } from '../core/calling-hours.js';
import { normalizePhoneNumber } from '../core/phone-number.js';
import { RECORDING_CONSENT_MODES } from '../core/recording-consent.js';
import {
  deleteCallingHourRule as deleteRule,
  loadComplianceSettings,
  setCallingHourRule as setRule,
  updateComplianceSettings,
  type ComplianceSettings,
} from '../db/compliance-settings.js';
import { requireAdmin, requireMember } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';

/** 'HH:MM', 24 h, within the federal window 08:00–21:00 (47 CFR 64.1200(c)(1)). */
export const callingTime = (name: string) =>
  z
    .string(`${name} is a time 'HH:MM'`)
    .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, `${name} is a time 'HH:MM' (24 h)`)
    .refine((time) => time >= '08:00' && time <= '21:00', `${name} is within 08:00–21:00, the federal calling window (47 CFR 64.1200(c)(1))`);

/** An attempt cap: a whole number from 1 to 1000, or null for none. */
export const attemptCap = (name: string) => z.number(`${name} is a whole number or null`).int(`${name} is a whole number`).min(1, `${name} is at least 1 (null: no cap)`).max(1000, `${name} is at most 1000`).nullable();

const setComplianceSettingsSchema = z
  .object({
    callingWindowStart: callingTime('callingWindowStart'),
    callingWindowEnd: callingTime('callingWindowEnd'),
    maxAttemptsLifetime: attemptCap('maxAttemptsLifetime'),
    maxAttemptsPerDay: attemptCap('maxAttemptsPerDay'),
    maxAttemptsPer24h: attemptCap('maxAttemptsPer24h'),
    // 47 CFR 64.1200(a)(7)(i): at most 3% of answered calls abandoned over 30 days; a workspace may be stricter.
    abandonmentLimitPercent: z
      .number('abandonmentLimitPercent is a number from 0 to 3')
      .min(0, 'abandonmentLimitPercent is at least 0')
      .max(3, 'abandonmentLimitPercent is at most 3 (the TCPA limit, 47 CFR 64.1200(a)(7)(i))')
      .refine((value) => Math.round(value * 100) === value * 100, 'abandonmentLimitPercent has at most two decimals'),
    recordingConsentMode: z.enum(RECORDING_CONSENT_MODES, `recordingConsentMode is one of ${RECORDING_CONSENT_MODES.join(', ')}`),
    consentNotice: z.string().trim().min(1, 'consentNotice is required').max(500, 'consentNotice is at most 500 characters'),
    safeHarborCallerName: z.string().trim().min(1, 'safeHarborCallerName is empty (null: the workspace name)').max(200, 'safeHarborCallerName is at most 200 characters').nullable(),
    safeHarborOptOutNumber: z.string().max(100).nullable(),
  })
  .partial()
  .strict();

/** `getComplianceSettings {}` (any member) → `{settings, rules}`: the workspace's compliance settings and calling-hours table. */
export const getComplianceSettings: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, z.object({}).strict());
  if (!input.ok) return appErrorResponse(input.error);
  const member = requireMember(caller);
  if (!member.ok) return appErrorResponse(member.error);
  return Response.json(await loadComplianceSettings(db, member.value.workspaceId));
};

/**
 * `setComplianceSettings {callingWindowStart?, callingWindowEnd?, maxAttemptsLifetime?,
 * maxAttemptsPerDay?, maxAttemptsPer24h?, abandonmentLimitPercent?, recordingConsentMode?,
 * consentNotice?, safeHarborCallerName?, safeHarborOptOutNumber?}` (admins) → `{settings}`.
 * Only the given settings change; audited. Errors: `invalid_request` (400) naming the setting,
 * `invalid_phone_number` (400) for the opt-out number, `forbidden` (403); nothing is written then.
 */
export const setComplianceSettings: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, setComplianceSettingsSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const admin = requireAdmin(caller);
  if (!admin.ok) return appErrorResponse(admin.error);
  const { safeHarborOptOutNumber, ...rest } = input.value;
  const changes: { -readonly [K in keyof ComplianceSettings]?: ComplianceSettings[K] } = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) Object.assign(changes, { [key]: value });
  if (safeHarborOptOutNumber !== undefined) {
    if (safeHarborOptOutNumber === null || safeHarborOptOutNumber.trim() === '') changes.safeHarborOptOutNumber = null;
    else {
      const phone = normalizePhoneNumber(safeHarborOptOutNumber);
      if (!phone.ok) return errorResponse('invalid_phone_number', `safeHarborOptOutNumber: ${phone.error.message}`);
      changes.safeHarborOptOutNumber = phone.value.e164;
    }
  }
  const updated = await updateComplianceSettings(db, { workspaceId: admin.value.workspaceId, actorEmail: admin.value.email, changes });
  return updated.ok ? Response.json({ settings: updated.value }) : appErrorResponse(updated.error);
};

const region = z.string('region is a two-letter USPS code').trim().toUpperCase().regex(/^[A-Z]{2}$/, 'region is a two-letter USPS code, such as TX');
const day = z.enum(RULE_DAYS, `day is one of ${RULE_DAYS.join(', ')}`);

const setCallingHourRuleSchema = z
  .object({
    region,
    day,
    windowStart: callingTime('windowStart').nullable(),
    windowEnd: callingTime('windowEnd').nullable(),
    source: z.string('source is required').trim().min(1, 'source is required (the statute or rule this follows)').max(500, 'source is at most 500 characters'),
  })
  .strict()
  .refine((rule) => (rule.windowStart === null) === (rule.windowEnd === null), 'windowStart and windowEnd are both times, or both null (no calls that day)')
  .refine((rule) => rule.windowStart === null || rule.windowEnd === null || rule.windowStart < rule.windowEnd, 'windowStart comes before windowEnd');

/**
 * `setCallingHourRule {region, day, windowStart, windowEnd, source}` (admins) → `{rule}`: a
 * region's window on a weekday or on federal holidays (`holiday`); both times null: no calls that
 * day. It only ever narrows the workspace's window. Audited. Errors: `invalid_request`, `forbidden`.
 */
export const setCallingHourRule: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, setCallingHourRuleSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const admin = requireAdmin(caller);
  if (!admin.ok) return appErrorResponse(admin.error);
  const rule = await setRule(db, { workspaceId: admin.value.workspaceId, actorEmail: admin.value.email, ...input.value });
  return Response.json({ rule });
};

/**
 * `deleteCallingHourRule {region, day}` (admins) → `{deleted}`: the workspace's window applies to
 * the region that day again. Audited when a rule was there. Errors: `invalid_request`, `forbidden`.
 */
export const deleteCallingHourRule: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, z.object({ region, day }).strict());
  if (!input.ok) return appErrorResponse(input.error);
  const admin = requireAdmin(caller);
  if (!admin.ok) return appErrorResponse(admin.error);
  const deleted = await deleteRule(db, { workspaceId: admin.value.workspaceId, actorEmail: admin.value.email, ...input.value });
  return Response.json({ deleted });
};

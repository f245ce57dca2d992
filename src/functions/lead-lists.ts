import { z } from 'zod';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { WRAP_UP_SECONDS_MAX, WRAP_UP_SECONDS_MIN } from '../core/dialer-session.js';
import { MAX_LIST_NAME_LENGTH, MAX_VOICEMAIL_MESSAGE_LENGTH } from '../core/lead-lists.js';
import { isCountryCode, normalizePhoneNumber } from '../core/phone-number.js';
import { VOICEMAIL_ACTIONS } from '../core/rows.js';
import type { Database } from '../db/database.js';
import { archiveLeadList as archiveList, createLeadList as createList, updateLeadList as updateList, type LeadListFields, type LeadListRow } from '../db/lead-lists.js';
import { findWorkspace } from '../db/workspaces.js';
import { requireManager } from './caller.js';
import { attemptCap, callingTime } from './compliance-settings.js';
import { parseBody, type FunctionHandler } from './context.js';

const wrapUpMessage = `wrapUpSeconds is a whole number of seconds from ${WRAP_UP_SECONDS_MIN} to ${WRAP_UP_SECONDS_MAX}, or null to wait for the rep's disposition`;
const listFields = {
  name: z.string().trim().min(1, 'name is required').max(MAX_LIST_NAME_LENGTH, `name is at most ${MAX_LIST_NAME_LENGTH} characters`),
  // A number as people type it, read in the workspace's default country (empty or null: none).
  callerId: z.string().max(100).nullable(),
  amdEnabled: z.boolean('amdEnabled is true or false'),
  recordingEnabled: z.boolean('recordingEnabled is true or false'),
  voicemailAction: z.enum(VOICEMAIL_ACTIONS, `voicemailAction is one of ${VOICEMAIL_ACTIONS.join(', ')}`),
  // Empty or null: no message.
  voicemailMessage: z.string().trim().max(MAX_VOICEMAIL_MESSAGE_LENGTH, `voicemailMessage is at most ${MAX_VOICEMAIL_MESSAGE_LENGTH} characters`).nullable(),
  // The list's calling window ('HH:MM', given together; both null: the workspace's) and caps (null: the workspace's).
  callingWindowStart: callingTime('callingWindowStart').nullable(),
  callingWindowEnd: callingTime('callingWindowEnd').nullable(),
  maxAttemptsLifetime: attemptCap('maxAttemptsLifetime'),
  maxAttemptsPerDay: attemptCap('maxAttemptsPerDay'),
  maxAttemptsPer24h: attemptCap('maxAttemptsPer24h'),
  // A power-dial session's wrap-up timer (null: wait for the rep's disposition).
  wrapUpSeconds: z
    .number(wrapUpMessage)
    .int(wrapUpMessage)
    .min(WRAP_UP_SECONDS_MIN, wrapUpMessage)
    .max(WRAP_UP_SECONDS_MAX, wrapUpMessage)
    .nullable(),
};
const listId = z.uuid('listId must be a list id');

const createLeadListSchema = z.object(listFields).partial().required({ name: true }).strict();
const updateLeadListSchema = z.object({ listId, ...listFields }).partial().required({ listId: true }).strict();
const archiveLeadListSchema = z.object({ listId }).strict();

type ListInput = { readonly [K in keyof typeof listFields]?: z.output<(typeof listFields)[K]> | undefined };

/** The shape the list functions answer with (camelCase, ISO timestamps). */
export const toLeadListView = (list: LeadListRow) => ({
  id: list.id,
  name: list.name,
  callerId: list.caller_id,
  amdEnabled: list.amd_enabled,
  recordingEnabled: list.recording_enabled,
  voicemailAction: list.voicemail_action,
  voicemailMessage: list.voicemail_message,
  callingWindowStart: list.calling_window_start?.slice(0, 5) ?? null,
  callingWindowEnd: list.calling_window_end?.slice(0, 5) ?? null,
  maxAttemptsLifetime: list.max_attempts_lifetime,
  maxAttemptsPerDay: list.max_attempts_per_day,
  maxAttemptsPer24h: list.max_attempts_per_24h,
  wrapUpSeconds: list.wrap_up_seconds,
  createdBy: list.user_email,
  createdAt: list.created_at.toISOString(),
  updatedAt: list.updated_at.toISOString(),
  archivedAt: list.archived_at?.toISOString() ?? null,
});

/**
 * The given fields made ready to store: the caller ID read as a phone number in the workspace's
 * default country (a bad one is `invalid_phone_number`), empty texts as none.
 */
async function normalizeFields(db: Database, workspaceId: string, input: ListInput): Promise<Response | Partial<LeadListFields>> {
  const fields: { -readonly [K in keyof LeadListFields]?: LeadListFields[K] } = {};
  if (input.name !== undefined) fields.name = input.name;
  if (input.amdEnabled !== undefined) fields.amdEnabled = input.amdEnabled;
  if (input.recordingEnabled !== undefined) fields.recordingEnabled = input.recordingEnabled;
  if (input.voicemailAction !== undefined) fields.voicemailAction = input.voicemailAction;
  if (input.voicemailMessage !== undefined) fields.voicemailMessage = input.voicemailMessage || null;
  if (input.callingWindowStart !== undefined || input.callingWindowEnd !== undefined) {
    const start = input.callingWindowStart ?? null;
    const end = input.callingWindowEnd ?? null;
    // Both or neither, start before end: a list's window is a whole window (db/migrations/0018).
    if (input.callingWindowStart === undefined || input.callingWindowEnd === undefined || (start === null) !== (end === null)) {
      return errorResponse('invalid_request', 'callingWindowStart and callingWindowEnd are given together: both times, or both null for the workspace\'s window.');
    }
    if (start !== null && end !== null && start >= end) return errorResponse('invalid_request', `callingWindowStart (${start}) comes before callingWindowEnd (${end}).`);
    fields.callingWindow = start !== null && end !== null ? { start, end } : null;
  }
  if (input.maxAttemptsLifetime !== undefined) fields.maxAttemptsLifetime = input.maxAttemptsLifetime;
  if (input.maxAttemptsPerDay !== undefined) fields.maxAttemptsPerDay = input.maxAttemptsPerDay;
  if (input.maxAttemptsPer24h !== undefined) fields.maxAttemptsPer24h = input.maxAttemptsPer24h;
  if (input.wrapUpSeconds !== undefined) fields.wrapUpSeconds = input.wrapUpSeconds;
  if (input.callerId !== undefined) {
    if (input.callerId === null || input.callerId.trim() === '') fields.callerId = null;
    else {
      const country = (await findWorkspace(db, workspaceId))?.default_country ?? 'US';
      const phone = normalizePhoneNumber(input.callerId, isCountryCode(country) ? country : 'US');
      if (!phone.ok) return errorResponse('invalid_phone_number', `Caller ID: ${phone.error.message}`);
      fields.callerId = phone.value.e164;
    }
  }
  return fields;
}

/**
 * `createLeadList {name, callerId?, amdEnabled?, recordingEnabled?, voicemailAction?, voicemailMessage?,
 * callingWindowStart?, callingWindowEnd?, maxAttemptsLifetime?, maxAttemptsPerDay?, maxAttemptsPer24h?, wrapUpSeconds?}`
 * (admins, managers) -> `{list}`. voicemailAction `leave` with a message is a power-dial session's voicemail
 * drop after the beep; `hangup` (or no message) hangs up on machines. wrapUpSeconds (5–3600, null: wait for
 * the rep) ends a session's wrap-up by itself. The window ('HH:MM' within 08:00–21:00, both or neither) and the
 * caps (null: the workspace's) only ever narrow the workspace's for the list's leads.
 */
export const createLeadList: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, createLeadListSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const manager = requireManager(caller);
  if (!manager.ok) return appErrorResponse(manager.error);
  const fields = await normalizeFields(db, manager.value.workspaceId, input.value);
  if (fields instanceof Response) return fields;
  const created = await createList(db, manager.value, {
    name: input.value.name,
    callerId: fields.callerId ?? null,
    amdEnabled: fields.amdEnabled ?? false,
    recordingEnabled: fields.recordingEnabled ?? false,
    voicemailAction: fields.voicemailAction ?? 'hangup',
    voicemailMessage: fields.voicemailMessage ?? null,
    callingWindow: fields.callingWindow ?? null,
    maxAttemptsLifetime: fields.maxAttemptsLifetime ?? null,
    maxAttemptsPerDay: fields.maxAttemptsPerDay ?? null,
    maxAttemptsPer24h: fields.maxAttemptsPer24h ?? null,
    wrapUpSeconds: fields.wrapUpSeconds ?? null,
  });
  return created.ok ? Response.json({ list: toLeadListView(created.value) }) : appErrorResponse(created.error);
};

/** `updateLeadList {listId, ...fields}` (admins, managers) -> `{list}`: only the fields given change. */
export const updateLeadList: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, updateLeadListSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const manager = requireManager(caller);
  if (!manager.ok) return appErrorResponse(manager.error);
  const { listId: id, ...changes } = input.value;
  const fields = await normalizeFields(db, manager.value.workspaceId, changes);
  if (fields instanceof Response) return fields;
  const updated = await updateList(db, manager.value, id, fields);
  return updated.ok ? Response.json({ list: toLeadListView(updated.value) }) : appErrorResponse(updated.error);
};

/** `archiveLeadList {listId}` (admins, managers) -> `{list}`: audited; its leads keep it; it takes no new leads. */
export const archiveLeadList: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, archiveLeadListSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const manager = requireManager(caller);
  if (!manager.ok) return appErrorResponse(manager.error);
  const archived = await archiveList(db, manager.value, input.value.listId);
  return archived.ok ? Response.json({ list: toLeadListView(archived.value) }) : appErrorResponse(archived.error);
};

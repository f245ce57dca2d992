import { fail, ok, type Result } from '../core/errors.js';
import type { LeadList } from '../core/lead-lists.js';
import type { VoicemailAction } from '../core/rows.js';
import { readDatabaseError } from './database-error.js';
import type { Database, Queryable } from './database.js';
import { recordAudit } from './workspaces.js';

export type LeadListRow = LeadList<Date>;

/** A list's settings as the functions take them (already checked and normalised). */
export interface LeadListFields {
  readonly name: string;
  readonly callerId: string | null;
  readonly amdEnabled: boolean;
  readonly recordingEnabled: boolean;
  readonly voicemailAction: VoicemailAction;
  readonly voicemailMessage: string | null;
  /** 'HH:MM', both or neither (checked by the caller: inside 08:00–21:00, start before end). */
  readonly callingWindow: { readonly start: string; readonly end: string } | null;
  readonly maxAttemptsLifetime: number | null;
  readonly maxAttemptsPerDay: number | null;
  readonly maxAttemptsPer24h: number | null;
  /** WRAP_UP_SECONDS_MIN..MAX, or null (checked by the caller). */
  readonly wrapUpSeconds: number | null;
}

/** Who acts on a workspace's lists: an admin or manager (the functions check the role). */
export interface ListActor {
  readonly workspaceId: string;
  readonly email: string;
}

const nameTaken = (name: string) => fail<never>('list_name_taken', `Your workspace already has a list named "${name}": choose another name, or archive that list first.`);
const listNotFound = () => fail<never>('list_not_found', 'No list of your workspace has that listId.');

/** A list of the workspace (archived or not), locked for the rest of the transaction. */
export async function lockLeadList(tx: Queryable, workspaceId: string, listId: string, mode: 'update' | 'share'): Promise<LeadListRow | undefined> {
  const [row] =
    mode === 'update'
      ? await tx.sql<LeadListRow>`select * from lead_lists where id = ${listId} and workspace_id = ${workspaceId} for update`
      : await tx.sql<LeadListRow>`select * from lead_lists where id = ${listId} and workspace_id = ${workspaceId} for share`;
  return row;
}

/**
 * A new list owned by its creator; its workspace is the creator's (the database fills it in).
 * Errors: `list_name_taken` (409) when a live list of the workspace has the name, letter case aside.
 */
export async function createLeadList(db: Database, actor: ListActor, fields: LeadListFields): Promise<Result<LeadListRow>> {
  const [row] = await db.sql<LeadListRow>`
    insert into lead_lists (user_email, name, caller_id, amd_enabled, recording_enabled, voicemail_action, voicemail_message,
      calling_window_start, calling_window_end, max_attempts_lifetime, max_attempts_per_day, max_attempts_per_24h, wrap_up_seconds)
    values (${actor.email}, ${fields.name}, ${fields.callerId}, ${fields.amdEnabled}, ${fields.recordingEnabled},
            ${fields.voicemailAction}, ${fields.voicemailMessage}, ${fields.callingWindow?.start ?? null}::time, ${fields.callingWindow?.end ?? null}::time,
            ${fields.maxAttemptsLifetime}::integer, ${fields.maxAttemptsPerDay}::integer, ${fields.maxAttemptsPer24h}::integer,
            ${fields.wrapUpSeconds}::integer)
    on conflict (workspace_id, lower(name)) where archived_at is null do nothing
    returning *`;
  return row ? ok(row) : nameTaken(fields.name);
}

/**
 * Changes a live list's settings (only those given; the same values again write nothing). Errors: `list_not_found` (404, also for
 * another workspace's list), `list_archived` (409), `list_name_taken` (409).
 */
export async function updateLeadList(db: Database, actor: ListActor, listId: string, changes: Partial<LeadListFields>): Promise<Result<LeadListRow>> {
  try {
    return await db.transaction(async (tx) => {
      const current = await lockLeadList(tx, actor.workspaceId, listId, 'update');
      if (!current) return listNotFound();
      if (current.archived_at) return fail('list_archived', `The list "${current.name}" is archived: it takes no changes.`);
      const next = {
        name: changes.name ?? current.name,
        callerId: changes.callerId === undefined ? current.caller_id : changes.callerId,
        amdEnabled: changes.amdEnabled ?? current.amd_enabled,
        recordingEnabled: changes.recordingEnabled ?? current.recording_enabled,
        voicemailAction: changes.voicemailAction ?? current.voicemail_action,
        voicemailMessage: changes.voicemailMessage === undefined ? current.voicemail_message : changes.voicemailMessage,
        windowStart: changes.callingWindow === undefined ? current.calling_window_start : (changes.callingWindow?.start ?? null),
        windowEnd: changes.callingWindow === undefined ? current.calling_window_end : (changes.callingWindow?.end ?? null),
        maxAttemptsLifetime: changes.maxAttemptsLifetime === undefined ? current.max_attempts_lifetime : changes.maxAttemptsLifetime,
        maxAttemptsPerDay: changes.maxAttemptsPerDay === undefined ? current.max_attempts_per_day : changes.maxAttemptsPerDay,
        maxAttemptsPer24h: changes.maxAttemptsPer24h === undefined ? current.max_attempts_per_24h : changes.maxAttemptsPer24h,
        wrapUpSeconds: changes.wrapUpSeconds === undefined ? current.wrap_up_seconds : changes.wrapUpSeconds,
      };
      const sameTime = (a: string | null, b: string | null) => (a === null ? b === null : b !== null && a.slice(0, 5) === b.slice(0, 5));
      const isUnchanged =
        next.name === current.name && next.callerId === current.caller_id && next.amdEnabled === current.amd_enabled &&
        next.recordingEnabled === current.recording_enabled && next.voicemailAction === current.voicemail_action &&
        next.voicemailMessage === current.voicemail_message && sameTime(next.windowStart, current.calling_window_start) &&
        sameTime(next.windowEnd, current.calling_window_end) && next.maxAttemptsLifetime === current.max_attempts_lifetime &&
        next.maxAttemptsPerDay === current.max_attempts_per_day && next.maxAttemptsPer24h === current.max_attempts_per_24h &&
        next.wrapUpSeconds === current.wrap_up_seconds;
      if (isUnchanged) return ok(current);
      const [row] = await tx.sql<LeadListRow>`
        update lead_lists set name = ${next.name}, caller_id = ${next.callerId}, amd_enabled = ${next.amdEnabled},
          recording_enabled = ${next.recordingEnabled}, voicemail_action = ${next.voicemailAction},
          voicemail_message = ${next.voicemailMessage}, calling_window_start = ${next.windowStart}::time, calling_window_end = ${next.windowEnd}::time,
          max_attempts_lifetime = ${next.maxAttemptsLifetime}::integer, max_attempts_per_day = ${next.maxAttemptsPerDay}::integer,
          max_attempts_per_24h = ${next.maxAttemptsPer24h}::integer, wrap_up_seconds = ${next.wrapUpSeconds}::integer, updated_at = now()
        where id = ${listId}
        returning *`;
      if (!row) throw new Error(`lead list ${listId} vanished under its lock`);
      return ok(row);
    });
  } catch (error) {
    // A rename onto a live list's name: the partial unique index decides, races included.
    if (readDatabaseError(error)?.code === '23505' && changes.name !== undefined) return nameTaken(changes.name);
    throw error;
  }
}

/**
 * Archives a list, audited (`lead_list.archived`) in the same transaction. Its leads keep it
 * (their history names it); it takes no new leads, and its name is free again. Archiving an
 * archived list writes nothing. Errors: `list_not_found` (404).
 */
export async function archiveLeadList(db: Database, actor: ListActor, listId: string): Promise<Result<LeadListRow>> {
  return db.transaction(async (tx) => {
    const current = await lockLeadList(tx, actor.workspaceId, listId, 'update');
    if (!current) return listNotFound();
    if (current.archived_at) return ok(current);
    const [row] = await tx.sql<LeadListRow>`update lead_lists set archived_at = now(), updated_at = now() where id = ${listId} returning *`;
    if (!row) throw new Error(`lead list ${listId} vanished under its lock`);
    const [counted] = await tx.sql<{ leads: number }>`select count(*)::int as leads from leads where list_id = ${listId}`;
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actorEmail: actor.email,
      action: 'lead_list.archived',
      target: listId,
      details: { name: current.name, leads: counted?.leads ?? 0 },
    });
    return ok(row);
  });
}

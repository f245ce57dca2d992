import { fail, ok, type Result } from '../core/errors.js';
import type { RuleDay } from '../core/calling-hours.js';
import type { ComplianceSettings } from '../core/compliance-settings.js';
import type { RecordingConsentMode } from '../core/recording-consent.js';
import type { Database, Queryable } from './database.js';
import { recordAudit } from './workspaces.js';

export type { ComplianceSettings };

export interface CallingHourRuleView {
  readonly region: string;
  readonly day: RuleDay;
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  readonly source: string;
  /** Null: copied from the defaults. */
  readonly updatedBy: string | null;
  readonly updatedAt: string;
}

interface SettingsRow {
  calling_window_start: string;
  calling_window_end: string;
  max_attempts_lifetime: number | null;
  max_attempts_per_day: number | null;
  max_attempts_per_24h: number | null;
  abandonment_limit_percent: string | number;
  recording_consent_mode: RecordingConsentMode;
  consent_notice: string;
  safe_harbor_caller_name: string | null;
  safe_harbor_opt_out_number: string | null;
}

const hhmm = (time: string | null) => (time === null ? null : time.slice(0, 5));

function toSettings(row: SettingsRow): ComplianceSettings {
  return {
    callingWindowStart: row.calling_window_start.slice(0, 5),
    callingWindowEnd: row.calling_window_end.slice(0, 5),
    maxAttemptsLifetime: row.max_attempts_lifetime,
    maxAttemptsPerDay: row.max_attempts_per_day,
    maxAttemptsPer24h: row.max_attempts_per_24h,
    abandonmentLimitPercent: Number(row.abandonment_limit_percent),
    recordingConsentMode: row.recording_consent_mode,
    consentNotice: row.consent_notice,
    safeHarborCallerName: row.safe_harbor_caller_name,
    safeHarborOptOutNumber: row.safe_harbor_opt_out_number,
  };
}

async function readSettings(db: Queryable, workspaceId: string, lock: boolean): Promise<ComplianceSettings> {
  const [row] = lock
    ? await db.sql<SettingsRow>`
        select calling_window_start::text as calling_window_start, calling_window_end::text as calling_window_end, max_attempts_lifetime,
          max_attempts_per_day, max_attempts_per_24h, abandonment_limit_percent::text as abandonment_limit_percent, recording_consent_mode,
          consent_notice, safe_harbor_caller_name, safe_harbor_opt_out_number
        from workspaces where id = ${workspaceId} for update`
    : await db.sql<SettingsRow>`
        select calling_window_start::text as calling_window_start, calling_window_end::text as calling_window_end, max_attempts_lifetime,
          max_attempts_per_day, max_attempts_per_24h, abandonment_limit_percent::text as abandonment_limit_percent, recording_consent_mode,
          consent_notice, safe_harbor_caller_name, safe_harbor_opt_out_number
        from workspaces where id = ${workspaceId}`;
  if (!row) throw new Error(`workspace ${workspaceId} is gone while its member is active`);
  return toSettings(row);
}

/** The workspace's compliance settings and its calling-hours table (region, then day of the week). */
export async function loadComplianceSettings(db: Queryable, workspaceId: string): Promise<{ settings: ComplianceSettings; rules: CallingHourRuleView[] }> {
  const settings = await readSettings(db, workspaceId, false);
  const rows = await db.sql<{ region: string; day: RuleDay; window_start: string | null; window_end: string | null; source: string; updated_by: string | null; updated_at: Date }>`
    select region, day, window_start::text as window_start, window_end::text as window_end, source, updated_by, updated_at
    from calling_hour_rules where workspace_id = ${workspaceId}
    order by region, array_position(array['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'holiday'], day)`;
  return {
    settings,
    rules: rows.map((row) => ({
      region: row.region,
      day: row.day,
      windowStart: hhmm(row.window_start),
      windowEnd: hhmm(row.window_end),
      source: row.source,
      updatedBy: row.updated_by,
      updatedAt: new Date(row.updated_at).toISOString(),
    })),
  };
}

/** Minutes since midnight of 'HH:MM'. */
const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * Changes the workspace's compliance settings (only those given), audited
 * (`compliance.settings_changed`, each change from → to) in the same transaction. The calling
 * window is checked as a whole against the one it would make: inside the federal 08:00–21:00
 * (47 CFR 64.1200(c)(1)), start before end. The same values again write nothing.
 * Errors: `invalid_request` (400) naming the setting; nothing is written then.
 */
export async function updateComplianceSettings(
  db: Database,
  input: { workspaceId: string; actorEmail: string; changes: Partial<ComplianceSettings> },
): Promise<Result<ComplianceSettings>> {
  return db.transaction(async (tx) => {
    const current = await readSettings(tx, input.workspaceId, true);
    const next: ComplianceSettings = { ...current, ...input.changes };
    const start = minutes(next.callingWindowStart);
    const end = minutes(next.callingWindowEnd);
    if (start < 8 * 60 || end > 21 * 60 || start >= end) {
      return fail(
        'invalid_request',
        `callingWindowStart/callingWindowEnd: ${next.callingWindowStart}–${next.callingWindowEnd} is not a window inside 08:00–21:00 (the federal limit, 47 CFR 64.1200(c)(1)) that starts before it ends.`,
      );
    }
    const changed = (Object.keys(next) as (keyof ComplianceSettings)[]).filter((key) => next[key] !== current[key]);
    if (changed.length === 0) return ok(current);
    await tx.sql`
      update workspaces set
        calling_window_start = ${next.callingWindowStart}::time, calling_window_end = ${next.callingWindowEnd}::time,
        max_attempts_lifetime = ${next.maxAttemptsLifetime}::integer, max_attempts_per_day = ${next.maxAttemptsPerDay}::integer,
        max_attempts_per_24h = ${next.maxAttemptsPer24h}::integer, abandonment_limit_percent = ${next.abandonmentLimitPercent}::numeric,
        recording_consent_mode = ${next.recordingConsentMode}, consent_notice = ${next.consentNotice},
        safe_harbor_caller_name = ${next.safeHarborCallerName}::text, safe_harbor_opt_out_number = ${next.safeHarborOptOutNumber}::text
      where id = ${input.workspaceId}`;
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorEmail: input.actorEmail,
      action: 'compliance.settings_changed',
      target: input.workspaceId,
      details: Object.fromEntries(changed.map((key) => [key, { from: current[key], to: next[key] }])),
    });
    return ok(await readSettings(tx, input.workspaceId, false));
  });
}

/**
 * Sets a region's calling hours for one day (both times null: no calls that day), replacing the
 * row (a default's included), audited (`calling_hour_rule.set`, with what it was). The times are
 * checked by the caller (within 08:00–21:00, start before end).
 */
export async function setCallingHourRule(
  db: Database,
  input: { workspaceId: string; actorEmail: string; region: string; day: RuleDay; windowStart: string | null; windowEnd: string | null; source: string },
): Promise<CallingHourRuleView> {
  return db.transaction(async (tx) => {
    const [before] = await tx.sql<{ window_start: string | null; window_end: string | null; source: string }>`
      select window_start::text as window_start, window_end::text as window_end, source from calling_hour_rules
      where workspace_id = ${input.workspaceId} and region = ${input.region} and day = ${input.day} for update`;
    const [row] = await tx.sql<{ updated_at: Date }>`
      insert into calling_hour_rules (workspace_id, region, day, window_start, window_end, source, updated_by, updated_at)
      values (${input.workspaceId}, ${input.region}, ${input.day}, ${input.windowStart}::time, ${input.windowEnd}::time, ${input.source}, ${input.actorEmail}, now())
      on conflict (workspace_id, region, day) do update set window_start = excluded.window_start, window_end = excluded.window_end,
        source = excluded.source, updated_by = excluded.updated_by, updated_at = excluded.updated_at
      returning updated_at`;
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorEmail: input.actorEmail,
      action: 'calling_hour_rule.set',
      target: `${input.region}:${input.day}`,
      details: {
        from: before ? { windowStart: hhmm(before.window_start), windowEnd: hhmm(before.window_end), source: before.source } : null,
        to: { windowStart: input.windowStart, windowEnd: input.windowEnd, source: input.source },
      },
    });
    return {
      region: input.region,
      day: input.day,
      windowStart: input.windowStart,
      windowEnd: input.windowEnd,
      source: input.source,
      updatedBy: input.actorEmail,
      updatedAt: new Date(row?.updated_at ?? Date.now()).toISOString(),
    };
  });
}

/**
 * Removes a region's rule for a day (the workspace's window applies that day again), audited
 * (`calling_hour_rule.deleted`, with what it was). False when there was no such rule (nothing written).
 */
export async function deleteCallingHourRule(db: Database, input: { workspaceId: string; actorEmail: string; region: string; day: RuleDay }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [removed] = await tx.sql<{ window_start: string | null; window_end: string | null; source: string }>`
      delete from calling_hour_rules where workspace_id = ${input.workspaceId} and region = ${input.region} and day = ${input.day}
      returning window_start::text as window_start, window_end::text as window_end, source`;
    if (!removed) return false;
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorEmail: input.actorEmail,
      action: 'calling_hour_rule.deleted',
      target: `${input.region}:${input.day}`,
      details: { was: { windowStart: hhmm(removed.window_start), windowEnd: hhmm(removed.window_end), source: removed.source } },
    });
    return true;
  });
}

import { decideCallingHours, localDayStart, type CalleeLocation, type CallingWindow, type RegionDayRule, type RuleDay } from '../core/calling-hours.js';
import { decideDial, describeDialFacts, effectiveCaps, nextLocalDayStart, type AttemptHistory, type DialDecision, type DialFacts } from '../core/dial-gate.js';
import { decideRecording, type RecordingDecision } from '../core/recording-consent.js';
import { isRole, seesWholeWorkspace } from '../core/workspace.js';
import { locateCallee } from '../phone-geo/locate-callee.js';
import type { Queryable } from './database.js';

/** What a dial asks the gate: who dials which E.164 number, for which lead, through which provider. */
export interface DialGateRequest {
  readonly userEmail: string;
  readonly phoneNumber: string;
  /** The lead the call is for; without one, the workspace's lead with that number (if any) is the callee. */
  readonly leadId: string | null;
  readonly provider: 'mock' | 'twilio';
  readonly recordingEnabled: boolean;
  /** The server's clock (ms since the epoch); a demo call adds its user's demo clock offset. */
  readonly clockNowMs: number;
}

interface LeadFacts {
  readonly id: string;
  readonly name: string;
  readonly listId: string | null;
  readonly timeZone: string | null;
  readonly region: string | null;
  readonly listWindow: CallingWindow | null;
  readonly listCaps: { lifetime: number | null; perDay: number | null; per24h: number | null } | null;
}

/** What the gate read before its transaction: the callee's location needs phone data loaded asynchronously. */
export interface PreparedDial {
  readonly request: DialGateRequest;
  readonly workspaceId: string;
  /** The gate's clock: real time, plus the user's demo offset for a demo call. */
  readonly gateNow: Date;
  readonly demoOffsetSeconds: number | null;
  /** The dialer is an admin or manager: they see every lead of the workspace (a rep their own). */
  readonly seesWholeWorkspace: boolean;
  readonly lead: LeadFacts | null;
  readonly location: CalleeLocation;
}

export interface DialGateOutcome {
  readonly decision: DialDecision;
  readonly facts: DialFacts;
  /** The facts as stored (`active_calls.compliance`, `compliance_events.details`). */
  readonly details: Record<string, unknown>;
  readonly leadId: string | null;
  readonly listId: string | null;
  readonly recording: { readonly decision: RecordingDecision; readonly rule: string };
}

interface LeadRow {
  id: string;
  name: string;
  list_id: string | null;
  time_zone: string | null;
  region: string | null;
  list_window_start: string | null;
  list_window_end: string | null;
  list_max_lifetime: number | null;
  list_max_per_day: number | null;
  list_max_per_24h: number | null;
}

const hhmm = (time: string) => time.slice(0, 5);

/** The callee lead: the one named, or else the workspace's (oldest) lead with the number. */
async function readLead(db: Queryable, workspaceId: string, request: DialGateRequest): Promise<LeadFacts | null> {
  const rows = request.leadId
    ? await db.sql<LeadRow>`
        select l.id, l.name, l.list_id, l.time_zone, l.region,
          ll.calling_window_start::text as list_window_start, ll.calling_window_end::text as list_window_end,
          ll.max_attempts_lifetime as list_max_lifetime, ll.max_attempts_per_day as list_max_per_day, ll.max_attempts_per_24h as list_max_per_24h
        from leads l left join lead_lists ll on ll.id = l.list_id
        where l.id = ${request.leadId} and l.workspace_id = ${workspaceId}`
    : await db.sql<LeadRow>`
        select l.id, l.name, l.list_id, l.time_zone, l.region,
          ll.calling_window_start::text as list_window_start, ll.calling_window_end::text as list_window_end,
          ll.max_attempts_lifetime as list_max_lifetime, ll.max_attempts_per_day as list_max_per_day, ll.max_attempts_per_24h as list_max_per_24h
        from leads l left join lead_lists ll on ll.id = l.list_id
        where l.workspace_id = ${workspaceId} and l.phone = ${request.phoneNumber}
        order by l.created_at, l.id limit 1`;
  const [row] = rows;
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    listId: row.list_id,
    timeZone: row.time_zone,
    region: row.region,
    listWindow: row.list_window_start && row.list_window_end ? { start: hhmm(row.list_window_start), end: hhmm(row.list_window_end) } : null,
    listCaps: row.list_id ? { lifetime: row.list_max_lifetime, perDay: row.list_max_per_day, per24h: row.list_max_per_24h } : null,
  };
}

/**
 * The gate's first step, outside any transaction: the dialer's workspace, the callee lead, the
 * gate's clock and where the callee is. Locating may load phone data on first use, so no lock is
 * held while it runs. Undefined when the user is a member of no workspace.
 */
export async function prepareDial(db: Queryable, request: DialGateRequest): Promise<PreparedDial | undefined> {
  const [member] = await db.sql<{ workspace_id: string; role: string; demo_offset: number | null }>`
    select m.workspace_id, m.role, s.demo_clock_offset_seconds as demo_offset
    from workspace_members m left join dialer_settings s on s.user_email = m.user_email
    where m.user_email = ${request.userEmail}`;
  if (!member) return undefined;
  // Demo mode only: real calls always use the real clock.
  const demoOffsetSeconds = request.provider === 'mock' ? member.demo_offset : null;
  const lead = await readLead(db, member.workspace_id, request);
  const location = await locateCallee(request.phoneNumber, lead ? { timeZone: lead.timeZone, region: lead.region } : undefined);
  return {
    request,
    workspaceId: member.workspace_id,
    gateNow: new Date(request.clockNowMs + (demoOffsetSeconds ?? 0) * 1000),
    demoOffsetSeconds,
    seesWholeWorkspace: isRole(member.role) && seesWholeWorkspace(member.role),
    lead,
    location,
  };
}

interface WorkspaceRules {
  calling_window_start: string;
  calling_window_end: string;
  max_attempts_lifetime: number | null;
  max_attempts_per_day: number | null;
  max_attempts_per_24h: number | null;
  recording_consent_mode: 'notice' | 'do_not_record';
  db_now: Date;
  /** JSON texts: the calling-hours table; the do-not-call entry and lead, or null. */
  rules: string;
  listed: string | null;
  do_not_call_lead: string | null;
}

/**
 * Attempts to one number or one lead in the workspace: its `call_logs` rows and its live calls
 * (an `active_calls` row in a live status, with no history row yet). An attempt is at the time the gate saw when
 * it placed the call (`compliance.now`: a demo call's includes its demo clock offset, so moving
 * the demo clock moves the caps' days too); a row from before the gate, at its start on the
 * database's clock moved by `skewMs` (gate clock minus database clock). `since` is on the gate's clock.
 */
async function readAttempts(
  db: Queryable,
  workspaceId: string,
  subject: { readonly column: 'to_number' | 'lead_id'; readonly value: string },
  since: { readonly dayStart: Date; readonly last24h: Date },
  skewMs: number,
): Promise<AttemptHistory> {
  // active_calls.started_at is never null; a history row's may be (then its creation).
  const at = (alias: string, started: string) => `coalesce((${alias}.compliance->>'now')::timestamptz, ${started} + $5::float8 * interval '1 millisecond')`;
  const [row] = await db.query<{ lifetime: number; per_day: number; recent: string }>(
    `with attempts as (
       select ${at('c', 'coalesce(c.started_at, c.created_at)')} as at from call_logs c where c.workspace_id = $1 and c.${subject.column} = $2
       union all
       select ${at('a', 'a.started_at')} from active_calls a
       -- Only a live call has no history row yet (HI1: the final status writes it). Said so, the
       -- read uses the partial index of live calls; without it, every dial scanned every call the
       -- database ever held (active_calls keeps ended rows), under the gate's lock.
       where a.workspace_id = $1 and a.${subject.column} = $2 and a.status in ('dialing', 'ringing', 'in-progress')
         and not exists (select 1 from call_logs l where l.active_call_id = a.id)
     )
     select count(*)::int as lifetime,
       (count(*) filter (where at >= $3::timestamptz))::int as per_day,
       coalesce((select json_agg((extract(epoch from at) * 1000)::float8 order by at) from attempts where at > $4::timestamptz), '[]'::json)::text as recent
     from attempts`,
    [workspaceId, subject.value, since.dayStart.toISOString(), since.last24h.toISOString(), skewMs],
  );
  const recent = JSON.parse(row?.recent ?? '[]') as number[];
  return {
    lifetime: row?.lifetime ?? 0,
    perDay: row?.per_day ?? 0,
    last24h: recent.map((ms) => new Date(ms).toISOString()),
  };
}

/**
 * Gathers the facts and decides (src/core/dial-gate.ts). A dial runs this in its transaction
 * after `lockDialGate`, so a do-not-call entry or an attempt committed before the lock was taken
 * is seen; `checkDial` runs it without the lock, as a dry run. Reads only.
 */
export async function evaluateDialGate(db: Queryable, prepared: PreparedDial): Promise<DialGateOutcome> {
  const { request, workspaceId, gateNow } = prepared;
  // One read for the workspace's rules, its calling-hours table, the do-not-call facts and the
  // database's clock (which stamped the attempts): a dial holds the gate's lock while it runs.
  const [workspace] = await db.sql<WorkspaceRules>`
    select w.calling_window_start::text as calling_window_start, w.calling_window_end::text as calling_window_end,
      w.max_attempts_lifetime, w.max_attempts_per_day, w.max_attempts_per_24h, w.recording_consent_mode, now() as db_now,
      coalesce((select json_agg(json_build_object('region', r.region, 'day', r.day, 'start', r.window_start::text, 'end', r.window_end::text, 'source', r.source))
        from calling_hour_rules r where r.workspace_id = w.id), '[]'::json)::text as rules,
      (select json_build_object('addedBy', d.user_email, 'addedAt', d.created_at, 'source', d.source)
        from do_not_call_numbers d where d.workspace_id = w.id and d.phone_number = ${request.phoneNumber})::text as listed,
      (select json_build_object('id', l.id, 'name', l.name, 'userEmail', l.user_email) from leads l
        where l.workspace_id = w.id and l.phone = ${request.phoneNumber} and l.status = 'do_not_call' order by l.created_at, l.id limit 1)::text as do_not_call_lead
    from workspaces w where w.id = ${workspaceId}`;
  if (!workspace) throw new Error(`workspace ${workspaceId} of ${request.userEmail} is gone`);
  // The lead as it is now; a changed time zone or region (rare: edited since) is located again.
  const lead = await readLead(db, workspaceId, request);
  const location =
    lead?.timeZone === prepared.lead?.timeZone && lead?.region === prepared.lead?.region
      ? prepared.location
      : await locateCallee(request.phoneNumber, lead ? { timeZone: lead.timeZone, region: lead.region } : undefined);

  const ruleRows = JSON.parse(workspace.rules) as { region: string; day: RuleDay; start: string | null; end: string | null; source: string }[];
  const regionRules: RegionDayRule[] = ruleRows.map((rule) => ({
    region: rule.region,
    day: rule.day,
    window: rule.start && rule.end ? { start: hhmm(rule.start), end: hhmm(rule.end) } : null,
    source: rule.source,
  }));
  const listed = workspace.listed === null ? null : (JSON.parse(workspace.listed) as { addedBy: string; addedAt: string; source: string });
  const doNotCallLead = workspace.do_not_call_lead === null ? null : (JSON.parse(workspace.do_not_call_lead) as { id: string; name: string; userEmail: string });

  const hours = decideCallingHours({
    location,
    windows: [
      { level: 'workspace', window: { start: hhmm(workspace.calling_window_start), end: hhmm(workspace.calling_window_end) } },
      ...(lead?.listWindow ? [{ level: 'list' as const, window: lead.listWindow }] : []),
    ],
    regionRules,
    now: gateNow,
  });

  // Per-day caps count since the latest local midnight across the callee's zones (the day that
  // started last, so an attempt counts against the day every zone agrees it belongs to).
  // (A number placed nowhere, which locateCallee should never answer, counts its days in UTC.)
  const dayZones = location.zones.length > 0 ? location.zones : ['UTC'];
  const dayStart = localDayStart(gateNow, dayZones);
  const nextDayStart = nextLocalDayStart(gateNow, dayZones);
  const dbNow = new Date(workspace.db_now);
  const skewMs = gateNow.getTime() - dbNow.getTime();
  const since = { dayStart, last24h: new Date(gateNow.getTime() - 24 * 3_600_000) };
  const numberAttempts = await readAttempts(db, workspaceId, { column: 'to_number', value: request.phoneNumber }, since, skewMs);
  const leadAttempts = lead ? await readAttempts(db, workspaceId, { column: 'lead_id', value: lead.id }, since, skewMs) : null;

  const facts: DialFacts = {
    now: gateNow.toISOString(),
    phoneNumber: request.phoneNumber,
    doNotCall: {
      listed: listed ? { addedBy: listed.addedBy, addedAt: new Date(listed.addedAt).toISOString(), source: listed.source } : null,
      // Another rep's lead is not named to a rep: the dialer reads this refusal and its facts (AU1).
      lead: doNotCallLead
        ? { id: doNotCallLead.id, name: doNotCallLead.userEmail === request.userEmail || prepared.seesWholeWorkspace ? doNotCallLead.name : null }
        : null,
    },
    location,
    hours,
    caps: effectiveCaps(
      { lifetime: workspace.max_attempts_lifetime, perDay: workspace.max_attempts_per_day, per24h: workspace.max_attempts_per_24h },
      lead?.listCaps ?? null,
    ),
    attempts: { number: numberAttempts, lead: leadAttempts },
    dayStart: dayStart.toISOString(),
    nextDayStart: nextDayStart.toISOString(),
  };
  const decision = decideDial(facts);
  return {
    decision,
    facts,
    details: {
      ...describeDialFacts(facts, decision, { demoOffsetSeconds: prepared.demoOffsetSeconds }),
      ...(lead ? { leadId: lead.id, listId: lead.listId } : {}),
    },
    leadId: lead?.id ?? null,
    listId: lead?.listId ?? null,
    recording: decideRecording({ recordingEnabled: request.recordingEnabled, regions: location.regions, mode: workspace.recording_consent_mode }),
  };
}

/** A refused dial's record: one `compliance_events` row (kind `dial_refused`) with `message` as the caller got it, in the dial's transaction. */
export async function recordDialRefusal(tx: Queryable, prepared: PreparedDial, outcome: DialGateOutcome, message: string): Promise<void> {
  const { decision } = outcome;
  if (decision.allowed) throw new Error('recordDialRefusal: the dial was allowed');
  await tx.sql`
    insert into compliance_events (user_email, kind, code, rule, phone_number, lead_id, list_id, message, details)
    values (${prepared.request.userEmail}, 'dial_refused', ${decision.code}, ${decision.rule}, ${prepared.request.phoneNumber},
      ${outcome.leadId}, ${outcome.listId}, ${message}, ${JSON.stringify(outcome.details)}::text::jsonb)`;
}

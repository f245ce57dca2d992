import { ABANDON_CONNECT_SECONDS, ABANDONMENT_WINDOW_DAYS, abandonmentRate } from '../core/abandonment.js';
import { isRecordingDecision, type RecordingDecision } from '../core/recording-consent.js';
import type { ActiveCallRow } from './active-calls.js';
import type { Queryable } from './database.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Records that an answered call was abandoned (47 CFR 64.1200(a)(7)): sets `abandoned_at` (and
 * `safe_harbor_at`, when the message started, given) and writes one `compliance_events` row of
 * kind `abandoned`, in the caller's transaction. A connection recorded within the two seconds
 * (a manual call assumes the rep is on the line at the answer) is cleared, since it did not
 * happen; a later connection is kept. Once per call: a call already abandoned is left as it is
 * and undefined is returned, as it is for a call that does not exist. The history row follows
 * (migration 0020), even when the call has already ended.
 */
export async function markAbandoned(
  tx: Queryable,
  callId: string,
  at: Date,
  options: { readonly reason?: string; readonly safeHarborAt?: Date } = {},
): Promise<ActiveCallRow | undefined> {
  const [row] = await tx.sql<ActiveCallRow & { list_id: string | null; abandoned_at: Date; safe_harbor_at: Date | null }>`
    update active_calls set
      abandoned_at = ${at},
      safe_harbor_at = coalesce(safe_harbor_at, ${options.safeHarborAt ?? null}::timestamptz),
      connected_at = case when connected_at > answered_at + make_interval(secs => ${ABANDON_CONNECT_SECONDS}) then connected_at end
    where id = ${callId} and abandoned_at is null
      -- A machine or fax is never abandoned (migration 0022 clears it when the verdict comes later).
      and not coalesce(answered_by like 'machine%' or answered_by = 'fax', false)
    returning *`;
  if (!row) return undefined;
  const reason = options.reason ?? 'no_rep_within_2s';
  await tx.sql`
    insert into compliance_events (user_email, kind, code, rule, phone_number, lead_id, list_id, call_id, message, details)
    values (${row.user_email}, 'abandoned', null, ${reason}, ${row.to_number}, ${row.lead_id}, ${row.list_id}, ${row.id},
      ${`The callee answered and no rep was connected within ${ABANDON_CONNECT_SECONDS} seconds, so the call counts as abandoned${row.safe_harbor_at ? ' and the safe-harbor message was played' : ''}.`},
      ${JSON.stringify({
        answeredAt: row.answered_at?.toISOString() ?? null,
        abandonedAt: row.abandoned_at.toISOString(),
        safeHarborAt: row.safe_harbor_at?.toISOString() ?? null,
        sessionId: row.session_id,
        lineNumber: row.line_number,
        provider: row.provider,
      })}::text::jsonb)`;
  return row;
}

/**
 * Records that the safe-harbor message started playing on a call that is not abandoned (an
 * answering machine's verdict came first), so the message is in history whichever came first:
 * the verdict, or the dial result that played it. The first time written stays.
 */
export async function markSafeHarborPlayed(tx: Queryable, callId: string, at: Date): Promise<void> {
  await tx.sql`update active_calls set safe_harbor_at = ${at} where id = ${callId} and safe_harbor_at is null`;
}

/** One row of rates: abandoned calls over calls answered by a person, in the window. */
export interface AbandonmentFigures {
  /** Calls answered by a person (no machine or fax verdict), abandoned ones included: the denominator. */
  readonly answered: number;
  readonly abandoned: number;
  /** abandoned × 100 / answered; null without answered calls. */
  readonly percent: number | null;
  /** The rate is at or over the workspace's limit: sessions dial one line (src/core/abandonment.ts linesAllowed paces by the counts). */
  readonly hasReachedLimit: boolean;
}

export interface ListAbandonment extends AbandonmentFigures {
  /** The list the calls were placed for; null for calls placed for no list. */
  readonly listId: string | null;
  readonly name: string | null;
  readonly isArchived: boolean;
}

export interface RepAbandonment extends AbandonmentFigures {
  readonly userEmail: string;
}

export interface AbandonmentRates {
  /** The window: calls that ended in (from, to]. */
  readonly from: Date;
  readonly to: Date;
  readonly windowDays: number;
  /** The workspace's limit, in percent (`workspaces.abandonment_limit_percent`, default 3). */
  readonly limitPercent: number;
  readonly isMock: boolean;
  /** Every call selected (the list's, the rep's, or the workspace's). */
  readonly total: AbandonmentFigures;
  /** Per list, by name, calls in no list last. */
  readonly lists: readonly ListAbandonment[];
  /** Per rep, by email. */
  readonly reps: readonly RepAbandonment[];
}

interface CountRow {
  kind: 'list' | 'rep' | 'total';
  key: string | null;
  name: string | null;
  is_archived: boolean | null;
  answered: number;
  abandoned: number;
}

/**
 * The rolling abandonment rates of a workspace (47 CFR 64.1200(a)(7): per campaign over 30
 * days), from history (`call_logs`, written when each call ends): calls that ended in the last
 * ABANDONMENT_WINDOW_DAYS up to `now`, per list (the list a call was placed for,
 * `call_logs.list_id`) and per rep, narrowed to one list or one rep when asked. A call counts
 * as answered by a person unless AMD said machine or fax (or it ended as a voicemail); an
 * abandoned call always counts. Real calls and demo calls are apart (`isMock`, default real).
 * Reads as the server: callers decide who may see what (getAbandonmentRates).
 */
export async function abandonmentRates(
  db: Queryable,
  workspaceId: string,
  query: { readonly now: Date; readonly listId?: string | undefined; readonly userEmail?: string | undefined; readonly isMock?: boolean | undefined },
): Promise<AbandonmentRates> {
  const to = query.now;
  const from = new Date(to.getTime() - ABANDONMENT_WINDOW_DAYS * DAY_MS);
  const isMock = query.isMock ?? false;
  const [workspace] = await db.sql<{ limit_percent: string | number }>`select abandonment_limit_percent as limit_percent from workspaces where id = ${workspaceId}`;
  if (!workspace) throw new Error(`no workspace ${workspaceId}`);
  const limitPercent = Number(workspace.limit_percent);
  const rows = await db.sql<CountRow>`
    with calls as (
      select c.list_id, c.user_email,
        c.abandoned_at is not null as is_abandoned,
        c.abandoned_at is not null
          or (c.outcome <> 'voicemail_detected' and coalesce(c.answered_by not like 'machine%' and c.answered_by <> 'fax', true)) as is_person
      from call_logs c
      where c.workspace_id = ${workspaceId} and c.answered_at is not null
        and c.ended_at > ${from} and c.ended_at <= ${to} and c.is_mock = ${isMock}
        and (${query.listId ?? null}::uuid is null or c.list_id = ${query.listId ?? null}::uuid)
        and (${query.userEmail ?? null}::text is null or c.user_email = ${query.userEmail ?? null}::text)
    ),
    counted as (
      select 'list' as kind, list_id::text as key, count(*) filter (where is_person)::int as answered, count(*) filter (where is_abandoned)::int as abandoned
      from calls group by list_id
      union all
      select 'rep', user_email, count(*) filter (where is_person)::int, count(*) filter (where is_abandoned)::int
      from calls group by user_email
      union all
      select 'total', null, count(*) filter (where is_person)::int, count(*) filter (where is_abandoned)::int
      from calls
    )
    select counted.kind, counted.key, l.name, l.archived_at is not null as is_archived, counted.answered, counted.abandoned
    from counted left join lead_lists l on counted.kind = 'list' and l.id::text = counted.key
    order by counted.kind, l.name nulls last, counted.key nulls last`;
  const figures = (row: Pick<CountRow, 'answered' | 'abandoned'> | undefined): AbandonmentFigures => {
    const answered = row?.answered ?? 0;
    const abandoned = row?.abandoned ?? 0;
    const percent = abandonmentRate({ abandoned, answeredByPerson: answered });
    return { answered, abandoned, percent, hasReachedLimit: percent !== null && percent >= limitPercent };
  };
  return {
    from,
    to,
    windowDays: ABANDONMENT_WINDOW_DAYS,
    limitPercent,
    isMock,
    total: figures(rows.find((row) => row.kind === 'total')),
    lists: rows.filter((row) => row.kind === 'list').map((row) => ({ listId: row.key, name: row.name, isArchived: row.is_archived ?? false, ...figures(row) })),
    reps: rows.filter((row) => row.kind === 'rep').map((row) => ({ userEmail: row.key ?? '', ...figures(row) })),
  };
}

/** What a call's TwiML needs from the gate's decision and its workspace's compliance settings. */
export interface CallCompliance {
  readonly recordingDecision: RecordingDecision;
  /** `workspaces.consent_notice`, played before recording in an all-party-consent state. */
  readonly consentNotice: string;
  /** Who the safe-harbor message says is calling: `safe_harbor_caller_name`, else the workspace's name. */
  readonly callerName: string;
  /** `safe_harbor_opt_out_number`; null: the call's caller ID. */
  readonly optOutNumber: string | null;
}

/** The compliance facts of one call (undefined when there is no such call). */
export async function readCallCompliance(db: Queryable, callId: string): Promise<CallCompliance | undefined> {
  const [row] = await db.sql<{ recording_decision: string; consent_notice: string; caller_name: string; opt_out_number: string | null }>`
    select a.recording_decision, w.consent_notice, coalesce(w.safe_harbor_caller_name, w.name) as caller_name,
      w.safe_harbor_opt_out_number as opt_out_number
    from active_calls a join workspaces w on w.id = a.workspace_id
    where a.id = ${callId}`;
  if (!row) return undefined;
  // The column's check constraint keeps it to these words; anything else would be a bug, and is not recorded.
  const recordingDecision = isRecordingDecision(row.recording_decision) ? row.recording_decision : 'off';
  return { recordingDecision, consentNotice: row.consent_notice, callerName: row.caller_name, optOutNumber: row.opt_out_number };
}

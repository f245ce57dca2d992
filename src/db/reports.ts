import { DISPOSITIONS, type Disposition } from '../core/rows.js';
import type { Database, Queryable } from './database.js';

/**
 * Who a report or an export is read as: a member, through row-level security (a rep sees their
 * own calls, a manager or admin their workspace's, a deactivated member nothing), or the service
 * role, which sees every row.
 */
export type Viewer = { readonly kind: 'user'; readonly email: string; readonly userId: string } | { readonly kind: 'service' };

/**
 * Runs `work` in one read-only transaction as the viewer's database role with their claims set,
 * as REST does, so the database's policies decide which rows exist for it. Nothing can be written.
 */
export function readAs<T>(db: Database, viewer: Viewer, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('set transaction read only');
    const role = viewer.kind === 'user' ? 'authenticated' : 'service_role';
    const claims = viewer.kind === 'user' ? { role, sub: viewer.userId, email: viewer.email } : { role };
    await tx.query(`select set_config('role', $1::text, true), set_config('request.jwt.claims', $2::text, true)`, [role, JSON.stringify(claims)]);
    return work(tx);
  });
}

export const REPORT_GROUPINGS = ['rep', 'day', 'list'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

/** Which calls count: real ones (`live`), demo-mode ones (`demo`, `call_logs.is_mock`), or both. */
export const REPORT_MODES = ['live', 'demo', 'all'] as const;
export type ReportMode = (typeof REPORT_MODES)[number];

export interface ReportQuery {
  /** Calls that ended at or after `from` and before `to`. */
  readonly from: Date;
  readonly to: Date;
  readonly groupBy: ReportGrouping;
  /** An IANA zone name PostgreSQL knows, checked by the caller; it decides where a day starts. */
  readonly timeZone: string;
  /** Only this rep's calls (still under the viewer's visibility). */
  readonly userEmail: string | undefined;
  readonly mode: ReportMode;
}

/** One row's figures. Seconds are whole seconds; `connectRate` is a fraction from 0 to 1. */
export interface ReportFigures {
  /** Calls placed (one history row each), whatever their outcome. */
  readonly dials: number;
  /** Completed calls that were answered, counted as user_stats counts them (a machine that AMD caught is a voicemail). */
  readonly connects: number;
  /** connects / dials; 0 without dials. */
  readonly connectRate: number;
  /** Talk time of completed calls. */
  readonly talkSeconds: number;
  readonly voicemails: number;
  readonly noAnswers: number;
  readonly busy: number;
  readonly failed: number;
  readonly canceled: number;
  /** Answered calls no rep was connected to in time (call_logs.abandoned_at; 47 CFR 64.1200(a)(7)). */
  readonly abandoned: number;
  /** Saved dispositions, every disposition present (0 when none). */
  readonly dispositions: Readonly<Record<Disposition, number>>;
}

/** A row per rep or per day. */
export interface KeyedReportRow extends ReportFigures {
  /** The rep's email (groupBy rep) or the local date `YYYY-MM-DD` in the report's zone (groupBy day). */
  readonly key: string;
}

/** A row per lead list (groupBy list). */
export interface ListReportRow extends ReportFigures {
  /** The list's id; null for calls without a lead, or whose lead is in no list. */
  readonly key: string | null;
  /** The list's name; `No list` for the null key. */
  readonly label: string;
  /** An archived list (one with calls in the range; archived lists without calls are left out). */
  readonly isArchived: boolean;
}

export type ReportRow = KeyedReportRow | ListReportRow;

/** The label of the row of calls in no list. */
export const NO_LIST_LABEL = 'No list';

export interface Report {
  readonly rows: readonly ReportRow[];
  readonly totals: ReportFigures;
}

interface FigureRow {
  key: string | null;
  /** Per list only: the list's name (null for no list) and whether it is archived. */
  label: string | null;
  is_archived: boolean;
  dials: number;
  connects: number;
  talk_seconds: number;
  voicemails: number;
  no_answers: number;
  busy: number;
  failed: number;
  canceled: number;
  abandoned: number;
  dispositions: string;
}

/**
 * The report for a range, computed in SQL over `call_logs` as the viewer (RLS decides whose calls
 * count). A call counts where it ended (`ended_at`), the order History shows, so the dials of a
 * range are the history rows an export of that range holds. Rows: per rep, every active member
 * the viewer sees (0 figures without calls) and anyone else with calls in the range, by email;
 * per day, every local day of the range in the zone, oldest first, empty days with 0 figures;
 * per list, every live list the viewer sees (0 figures without calls) and archived lists with
 * calls, by name, then the calls in no list (key null) last when there are any.
 *
 * Per list, a call counts toward its lead's list at report time (`call_logs.lead_id` →
 * `leads.list_id`), not the list the lead was in when it was called: moving a lead moves its past
 * calls. The lead is read as the viewer too, so a call whose lead the viewer no longer sees (a
 * rep's call on a lead since assigned to another rep) or that was deleted counts in no list.
 */
export async function readReport(db: Database, viewer: Viewer, query: ReportQuery): Promise<Report> {
  const { from, to, timeZone, mode } = query;
  const userEmail = query.userEmail ?? null;
  // groupBy chooses between fixed SQL fragments; no input reaches the SQL text.
  const grouping = GROUPING_SQL[query.groupBy];
  const rows = await readAs(db, viewer, (tx) =>
    tx.query<FigureRow>(
      `with calls as (
         select ${grouping.keyOfCall} as key, outcome, answered_at, talk_seconds, disposition, abandoned_at
         from call_logs c
         where ended_at >= $1::timestamptz and ended_at < $2::timestamptz
           and ($4::text = 'all' or is_mock = ($4::text = 'demo'))
           and ($5::text is null or user_email = $5::text)
           -- Types the zone for groupings that do not use it: PostgreSQL refuses a parameter it cannot type.
           and $3::text is not null
       ),
       figures as (
         select key,
           count(*)::int as dials,
           count(*) filter (where outcome = 'completed' and answered_at is not null)::int as connects,
           coalesce(sum(talk_seconds) filter (where outcome = 'completed'), 0)::float8 as talk_seconds,
           count(*) filter (where outcome = 'voicemail_detected')::int as voicemails,
           count(*) filter (where outcome = 'no-answer')::int as no_answers,
           count(*) filter (where outcome = 'busy')::int as busy,
           count(*) filter (where outcome = 'failed')::int as failed,
           count(*) filter (where outcome = 'canceled')::int as canceled,
           count(*) filter (where abandoned_at is not null)::int as abandoned
         from calls group by key
       ),
       dispositions as (
         select key, jsonb_object_agg(disposition, count)::text as dispositions
         from (select key, disposition, count(*)::int as count from calls where disposition is not null group by key, disposition) counted
         group by key
       ),
       keys as (${grouping.keysWithoutCalls} union select key from figures)
       select keys.key, ${grouping.label} as label, ${grouping.isArchived} as is_archived,
         coalesce(f.dials, 0) as dials, coalesce(f.connects, 0) as connects, coalesce(f.talk_seconds, 0) as talk_seconds,
         coalesce(f.voicemails, 0) as voicemails, coalesce(f.no_answers, 0) as no_answers, coalesce(f.busy, 0) as busy,
         coalesce(f.failed, 0) as failed, coalesce(f.canceled, 0) as canceled,
         coalesce(f.abandoned, 0) as abandoned, coalesce(d.dispositions, '{}') as dispositions
       from keys
         -- The null key (calls in no list) must meet its figures: \`using (key)\` would not match it.
         left join figures f on f.key is not distinct from keys.key
         left join dispositions d on d.key is not distinct from keys.key
         ${grouping.join}
       order by ${grouping.order}`,
      [from, to, timeZone, mode, userEmail],
    ),
  );
  const reportRows: ReportRow[] = rows.map((row) =>
    query.groupBy === 'list'
      ? { key: row.key, label: row.label ?? NO_LIST_LABEL, isArchived: row.is_archived, ...toFigures(row) }
      : // Rep and day keys are never null: every call has a rep and an end.
        { key: row.key ?? '', ...toFigures(row) },
  );
  return { rows: reportRows, totals: sumFigures(reportRows) };
}

/** Per grouping: a call's key, the keys shown without calls, and what names and orders a row. */
const GROUPING_SQL: Record<ReportGrouping, { keyOfCall: string; keysWithoutCalls: string; join: string; label: string; isArchived: string; order: string }> = {
  rep: {
    keyOfCall: 'c.user_email',
    keysWithoutCalls: 'select user_email as key from workspace_members where is_active and ($5::text is null or user_email = $5::text)',
    join: '',
    label: 'null::text',
    isArchived: 'false',
    order: 'keys.key',
  },
  day: {
    keyOfCall: `to_char((c.ended_at at time zone $3::text)::date, 'YYYY-MM-DD')`,
    keysWithoutCalls: `select to_char(day, 'YYYY-MM-DD') as key from generate_series(
           ($1::timestamptz at time zone $3::text)::date,
           (($2::timestamptz - interval '1 microsecond') at time zone $3::text)::date,
           interval '1 day') as day`,
    join: '',
    label: 'null::text',
    isArchived: 'false',
    order: 'keys.key',
  },
  list: {
    // The lead and its list are read under RLS like the call: a lead the viewer cannot see has no list.
    keyOfCall: '(select l.list_id::text from leads l where l.id = c.lead_id)',
    keysWithoutCalls: 'select id::text as key from lead_lists where archived_at is null',
    join: 'left join lead_lists ll on ll.id::text = keys.key',
    label: 'll.name',
    isArchived: '(ll.archived_at is not null)',
    order: 'keys.key is null, ll.name, ll.archived_at nulls first, keys.key',
  },
};

function emptyDispositions(): Record<Disposition, number> {
  return Object.fromEntries(DISPOSITIONS.map((disposition) => [disposition, 0])) as Record<Disposition, number>;
}

function toFigures(row: FigureRow): ReportFigures {
  const dispositions = emptyDispositions();
  for (const [disposition, count] of Object.entries(JSON.parse(row.dispositions) as Record<string, number>)) {
    // The column's check constraint keeps it to DISPOSITIONS; anything else is not reported.
    if (Object.hasOwn(dispositions, disposition)) dispositions[disposition as Disposition] = count;
  }
  return withRate({
    dials: row.dials,
    connects: row.connects,
    talkSeconds: Number(row.talk_seconds),
    voicemails: row.voicemails,
    noAnswers: row.no_answers,
    busy: row.busy,
    failed: row.failed,
    canceled: row.canceled,
    abandoned: row.abandoned,
    dispositions,
  });
}

function withRate(figures: Omit<ReportFigures, 'connectRate'>): ReportFigures {
  return { ...figures, connectRate: figures.dials === 0 ? 0 : figures.connects / figures.dials };
}

/** Totals of the rows; every row counts each call once, so the sums are the range's figures. */
function sumFigures(rows: readonly ReportFigures[]): ReportFigures {
  const dispositions = emptyDispositions();
  const sum = (pick: (row: ReportFigures) => number) => rows.reduce((total, row) => total + pick(row), 0);
  for (const row of rows) for (const disposition of DISPOSITIONS) dispositions[disposition] += row.dispositions[disposition];
  return withRate({
    dials: sum((row) => row.dials),
    connects: sum((row) => row.connects),
    talkSeconds: sum((row) => row.talkSeconds),
    voicemails: sum((row) => row.voicemails),
    noAnswers: sum((row) => row.noAnswers),
    busy: sum((row) => row.busy),
    failed: sum((row) => row.failed),
    canceled: sum((row) => row.canceled),
    abandoned: sum((row) => row.abandoned),
    dispositions,
  });
}

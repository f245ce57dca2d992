import type { SupabaseClient } from '@supabase/supabase-js';
import { invokeFunction, type FunctionResult } from './invoke-function.js';

/** How a report groups calls: per rep, per local day, or per lead list. */
export const REPORT_GROUPS = ['rep', 'day', 'list'] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];
export const isReportGroup = (value: string): value is ReportGroup => (REPORT_GROUPS as readonly string[]).includes(value);
/** Which calls count: real ones, demo-mode ones, or both. */
export const REPORT_MODES = ['all', 'live', 'demo'] as const;
export type ReportMode = (typeof REPORT_MODES)[number];
export const isReportMode = (value: string): value is ReportMode => (REPORT_MODES as readonly string[]).includes(value);

/** One row of a report (a rep, a day or a lead list), and the totals, as `getReport` sends them. */
export interface ReportFigures {
  readonly dials: number;
  readonly connects: number;
  /** connects / dials, a fraction 0..1 (0 without dials); shown through `formatRate`. */
  readonly connectRate: number;
  readonly talkSeconds: number;
  readonly voicemails: number;
  readonly noAnswers: number;
  readonly busy: number;
  readonly failed: number;
  readonly canceled: number;
  readonly abandoned: number;
  readonly dispositions: Readonly<Record<string, number>>;
}
export interface ReportRow extends ReportFigures {
  /** The rep's email, the day, or the lead list's id (null for the calls in no list). */
  readonly key: string | null;
  /** Per list only: the list's name (`No list` for the null key) and whether it is archived. */
  readonly label?: string;
  readonly isArchived?: boolean;
}
export interface Report {
  readonly rows: readonly ReportRow[];
  readonly totals: ReportFigures;
}

export interface ReportRequest {
  readonly from: string;
  readonly to: string;
  readonly groupBy: ReportGroup;
  readonly userEmail?: string | undefined;
  readonly mode?: ReportMode | undefined;
}

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * Figures from call_logs under the caller's visibility, for calls that ended in [from, to); days
 * are the browser's local days.
 */
export function getReport(supabase: SupabaseClient, request: ReportRequest): Promise<FunctionResult<Report>> {
  const { userEmail, mode, ...rest } = request;
  return invokeFunction<Report>(supabase, 'getReport', { ...rest, timeZone: browserTimeZone(), ...(userEmail ? { userEmail } : {}), ...(mode ? { mode } : {}) });
}

/** The connect rate as a percent, from the figures themselves so it never depends on the rate's unit. */
export function formatRate(figures: Pick<ReportFigures, 'dials' | 'connects'>): string {
  return figures.dials === 0 ? '—' : `${Math.round((figures.connects / figures.dials) * 100)}%`;
}

export type ExportKind = 'history' | 'leads' | 'compliance';

/** A short-lived link to the whole range as CSV, streamed by the server; the browser opens it to download. */
export function createExport(
  supabase: SupabaseClient,
  request: { kind: ExportKind; from?: string | undefined; to?: string | undefined; userEmail?: string | undefined; filters?: Readonly<Record<string, string | undefined>> | undefined },
): Promise<FunctionResult<{ url: string }>> {
  const { filters, ...rest } = request;
  const body = Object.fromEntries(Object.entries({ ...filters, ...rest }).filter(([, value]) => value !== undefined && value !== ''));
  return invokeFunction(supabase, 'createExport', body);
}

/** Local midnight of a `YYYY-MM-DD` day (plus `plusDays`), as an ISO instant. */
export function startOfLocalDay(day: string, plusDays = 0): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plusDays).toISOString();
}

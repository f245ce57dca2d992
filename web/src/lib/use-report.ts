import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { getReport, type Report, type ReportRequest } from './report-api.js';
import { useFilteredTableChanges } from './use-table-changes.js';

/**
 * A report for `request`, read again when a call_logs row matching `changesFilter` changes
 * (at most once a second), so totals follow calls as they end.
 */
export function useReport(request: ReportRequest | null, changesFilter: string | null): { report: Report | null; error: AppError | null } {
  const supabase = useSupabase();
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const from = request?.from;
  const to = request?.to;
  const groupBy = request?.groupBy;
  const userEmail = request?.userEmail;
  const mode = request?.mode;
  const load = useCallback(async () => {
    if (!from || !to || !groupBy) return;
    const result = await getReport(supabase, { from, to, groupBy, userEmail, mode });
    if (!result.ok) return setError(result.error);
    setError(null);
    setReport(result.value);
  }, [supabase, from, to, groupBy, userEmail, mode]);
  useEffect(() => {
    void load();
  }, [load]);
  useFilteredTableChanges('call_logs', changesFilter, () => void load(), 1000);
  return { report, error };
}

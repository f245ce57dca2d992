import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { getAbandonmentRates, type AbandonmentRates } from './compliance-api.js';
import { useFilteredTableChanges } from './use-table-changes.js';

/**
 * The workspace's rolling abandonment rates, read again (at most every 2 s) when a call of the
 * workspace ends, since the server computes them from history.
 */
export function useAbandonmentRates(workspaceId: string | null, mode: 'live' | 'demo'): { rates: AbandonmentRates | null; error: AppError | null } {
  const supabase = useSupabase();
  const [rates, setRates] = useState<AbandonmentRates | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const load = useCallback(async () => {
    if (!workspaceId) return;
    const result = await getAbandonmentRates(supabase, { mode });
    if (!result.ok) return setError(result.error);
    setError(null);
    setRates(result.value);
  }, [supabase, workspaceId, mode]);
  useEffect(() => {
    void load();
  }, [load]);
  useFilteredTableChanges('call_logs', workspaceId ? `workspace_id=eq.${workspaceId}` : null, () => void load(), 2000);
  return { rates, error };
}

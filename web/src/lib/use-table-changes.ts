import { useEffect, useRef } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';

let channelCounter = 0;

type WatchedTable = 'leads' | 'call_logs' | 'user_stats' | 'workspace_members' | 'rep_states' | 'active_calls' | 'dialer_sessions';

/**
 * Calls `onChange` (at most every `delayMs`) when a row of `table` matching the realtime
 * `filter` changes, so a list stays current while calls end elsewhere. Lists also reload when
 * opened, so a missed change costs nothing worse than a stale row until then.
 */
export function useFilteredTableChanges(table: WatchedTable, filter: string | null, onChange: () => void, delayMs = 300): void {
  const supabase = useSupabase();
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    if (filter === null) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const channel = supabase
      .channel(`${table}:${filter}:${++channelCounter}`)
      .on('postgres_changes', { event: '*', schema: 'public', table, filter }, () => {
        // A throttle, not a debounce: on a busy floor changes never pause for `delayMs`.
        timer ??= setTimeout(() => {
          timer = undefined;
          latest.current();
        }, delayMs);
      })
      .subscribe();
    return () => {
      clearTimeout(timer);
      void supabase.removeChannel(channel);
    };
  }, [supabase, table, filter, delayMs]);
}

/** `useFilteredTableChanges` for the user's own rows. */
export function useTableChanges(table: 'leads' | 'call_logs' | 'user_stats', userEmail: string, onChange: () => void): void {
  useFilteredTableChanges(table, `user_email=eq.${userEmail}`, onChange);
}

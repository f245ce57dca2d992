import { useEffect, useRef } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';

let channelCounter = 0;

/**
 * Calls `onChange` (at most every 300 ms) when one of the user's rows in `table` changes, so a
 * list stays current while calls end elsewhere. Lists also reload when opened, so a missed
 * change costs nothing worse than a stale row until then.
 */
export function useTableChanges(table: 'leads' | 'call_logs' | 'user_stats', userEmail: string, onChange: () => void): void {
  const supabase = useSupabase();
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const channel = supabase
      .channel(`${table}:${userEmail}:${++channelCounter}`)
      .on('postgres_changes', { event: '*', schema: 'public', table, filter: `user_email=eq.${userEmail}` }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => latest.current(), 300);
      })
      .subscribe();
    return () => {
      clearTimeout(timer);
      void supabase.removeChannel(channel);
    };
  }, [supabase, table, userEmail]);
}

import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { POLL_INTERVAL_MS, RESUBSCRIBE_DELAY_MS, type WatchMode } from '../../../src/client/live-subscription.js';

let channelCounter = 0;

/**
 * Follows the rows of any realtime table that match `filter`, by the rules of `followCalls`
 * (src/client/live-subscription.ts, RT1): each change as it comes; while the channel is not
 * subscribed, `refetch` every poll interval; after every (re)subscription one `refetch`, since
 * changes made meanwhile are not replayed; a closed channel is replaced. Returns the stop function.
 */
export function followTable<Row>(
  supabase: SupabaseClient,
  watch: {
    readonly name: string;
    readonly table: string;
    readonly filter: string;
    readonly refetch: () => Promise<void>;
    readonly onRow: (row: Row) => void;
    readonly onDelete?: (old: Partial<Row>) => void;
    readonly onMode: (mode: WatchMode) => void;
  },
): () => void {
  let channel: RealtimeChannel | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const refetch = () => {
    if (!stopped) void watch.refetch();
  };

  function startPolling(): void {
    watch.onMode('polling');
    if (pollTimer) return;
    refetch();
    pollTimer = setInterval(refetch, POLL_INTERVAL_MS);
  }

  function stopPolling(): void {
    clearInterval(pollTimer);
    pollTimer = undefined;
  }

  function subscribe(): void {
    const current = supabase
      .channel(`${watch.name}:${++channelCounter}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: watch.table, filter: watch.filter }, (payload) => {
        if (stopped) return;
        if (payload.eventType === 'DELETE') watch.onDelete?.(payload.old as Partial<Row>);
        else watch.onRow(payload.new as Row);
      })
      .subscribe((status) => {
        if (stopped || channel !== current) return;
        if (status === 'SUBSCRIBED') {
          stopPolling();
          watch.onMode('live');
          refetch();
          return;
        }
        startPolling();
        if (status === 'CLOSED') {
          clearTimeout(resubscribeTimer);
          resubscribeTimer = setTimeout(() => {
            if (stopped) return;
            void supabase.removeChannel(current);
            subscribe();
          }, RESUBSCRIBE_DELAY_MS);
        }
      });
    channel = current;
  }

  subscribe();
  refetch();

  return () => {
    stopped = true;
    stopPolling();
    clearTimeout(resubscribeTimer);
    if (channel) void supabase.removeChannel(channel);
  };
}

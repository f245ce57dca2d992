import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { canTransition } from '../core/call-status.js';
import type { ActiveCall } from '../core/rows.js';

/** How a watcher is hearing about its rows: live over realtime, or polling REST meanwhile (RT1). */
export type WatchMode = 'connecting' | 'live' | 'polling';

export const POLL_INTERVAL_MS = 2_000;
export const RESUBSCRIBE_DELAY_MS = 2_000;

export interface LiveSubscriptionOptions {
  readonly pollIntervalMs?: number;
  readonly resubscribeDelayMs?: number;
}

let channelCounter = 0;

/**
 * Follows `active_calls` rows matching a realtime filter. Realtime delivers each change;
 * whenever the channel is not subscribed (error, time-out, closed, socket down) it calls
 * `refetch` every poll interval, and after every (re)subscription it refetches once, since
 * changes made while the channel was down are not replayed. Returns the function that stops it.
 */
export function followCalls(
  supabase: SupabaseClient,
  watch: {
    readonly name: string;
    readonly filter: string;
    /** Reads the rows through REST and offers them; called on every poll and after subscribing. */
    readonly refetch: () => Promise<void>;
    readonly onRow: (row: ActiveCall) => void;
    readonly onDelete?: (old: Partial<ActiveCall>) => void;
    readonly onMode: (mode: WatchMode) => void;
  },
  options: LiveSubscriptionOptions = {},
): () => void {
  const pollIntervalMs = options.pollIntervalMs ?? POLL_INTERVAL_MS;
  const resubscribeDelayMs = options.resubscribeDelayMs ?? RESUBSCRIBE_DELAY_MS;
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
    pollTimer = setInterval(refetch, pollIntervalMs);
  }

  function stopPolling(): void {
    clearInterval(pollTimer);
    pollTimer = undefined;
  }

  function subscribe(): void {
    const current = supabase
      .channel(`${watch.name}:${++channelCounter}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: 'active_calls', filter: watch.filter }, (payload) => {
        if (stopped) return;
        if (payload.eventType === 'DELETE') watch.onDelete?.(payload.old as Partial<ActiveCall>);
        else watch.onRow(payload.new as ActiveCall);
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
          // A closed channel (expired token, server shutdown) is not rejoined by the client: make a new one.
          clearTimeout(resubscribeTimer);
          resubscribeTimer = setTimeout(() => {
            if (stopped) return;
            void supabase.removeChannel(current);
            subscribe();
          }, resubscribeDelayMs);
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

/**
 * Whether `row` should replace `current` as what a watcher shows: the same call only moves
 * forward through its statuses, and an older call never replaces a newer one.
 */
export function isNewerCall(current: ActiveCall | null, row: ActiveCall): boolean {
  if (!current) return true;
  if (current.id === row.id) return row.status === current.status || canTransition(current.status, row.status);
  return Date.parse(row.started_at) >= Date.parse(current.started_at);
}

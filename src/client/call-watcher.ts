import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { canTransition } from '../core/call-status.js';
import type { ActiveCall } from '../core/rows.js';

/** How the watcher is hearing about the call: live over realtime, or polling REST meanwhile (RT1). */
export type WatchMode = 'connecting' | 'live' | 'polling';

export interface CallWatchState {
  /** The most recent call of this context (live or just ended); null when there has been none. */
  readonly call: ActiveCall | null;
  readonly mode: WatchMode;
}

/** Which calls a watcher follows: a lead's calls, or (leadId null) calls dialled by hand. */
export interface CallContext {
  readonly userEmail: string;
  readonly leadId: string | null;
}

export const POLL_INTERVAL_MS = 2_000;
export const RESUBSCRIBE_DELAY_MS = 2_000;

let watcherCounter = 0;

/**
 * Follows the current call of one context. Realtime delivers each change; whenever the
 * channel is not subscribed (error, time-out, closed, socket down) it polls the row through
 * REST every 2 s, and after every (re)subscription it refetches, so it is never stale for
 * longer than the polling interval. Returns the function that stops it.
 */
export function watchCall(
  supabase: SupabaseClient,
  context: CallContext,
  onState: (state: CallWatchState) => void,
  options: { pollIntervalMs?: number; resubscribeDelayMs?: number } = {},
): () => void {
  const pollIntervalMs = options.pollIntervalMs ?? POLL_INTERVAL_MS;
  const resubscribeDelayMs = options.resubscribeDelayMs ?? RESUBSCRIBE_DELAY_MS;
  let state: CallWatchState = { call: null, mode: 'connecting' };
  let channel: RealtimeChannel | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const belongs = (row: Partial<ActiveCall> | undefined): row is ActiveCall =>
    !!row?.id && row.user_email === context.userEmail && (row.lead_id ?? null) === context.leadId;

  function update(next: Partial<CallWatchState>): void {
    if (stopped) return;
    state = { ...state, ...next };
    onState(state);
  }

  /** Takes a row unless it would show the same call going backwards or an older call. */
  function offer(row: ActiveCall): void {
    const current = state.call;
    if (current && current.id === row.id) {
      if (row.status !== current.status && !canTransition(current.status, row.status)) return;
    } else if (current && Date.parse(row.started_at) < Date.parse(current.started_at)) {
      return;
    }
    update({ call: row });
  }

  async function refetch(): Promise<void> {
    let query = supabase.from('active_calls').select('*').eq('user_email', context.userEmail);
    query = context.leadId === null ? query.is('lead_id', null) : query.eq('lead_id', context.leadId);
    const { data, error } = await query.order('started_at', { ascending: false }).limit(1).maybeSingle<ActiveCall>();
    if (error || stopped) return;
    if (data) offer(data);
  }

  function startPolling(): void {
    update({ mode: 'polling' });
    if (pollTimer) return;
    void refetch();
    pollTimer = setInterval(() => void refetch(), pollIntervalMs);
  }

  function stopPolling(): void {
    clearInterval(pollTimer);
    pollTimer = undefined;
  }

  function subscribe(): void {
    const filter = context.leadId === null ? 'lead_id=is.null' : `lead_id=eq.${context.leadId}`;
    const current = supabase
      .channel(`calls:${context.userEmail}:${context.leadId ?? 'dialer'}:${++watcherCounter}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: 'active_calls', filter }, (payload) => {
        if (payload.eventType === 'DELETE') {
          if (state.call && (payload.old as Partial<ActiveCall>).id === state.call.id) update({ call: null });
          return;
        }
        const row = payload.new as Partial<ActiveCall>;
        if (belongs(row)) offer(row);
      })
      .subscribe((status) => {
        if (stopped || channel !== current) return;
        if (status === 'SUBSCRIBED') {
          stopPolling();
          update({ mode: 'live' });
          // Changes made while the channel was down are not replayed: read the row again.
          void refetch();
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
  void refetch();

  return () => {
    stopped = true;
    stopPolling();
    clearTimeout(resubscribeTimer);
    if (channel) void supabase.removeChannel(channel);
  };
}

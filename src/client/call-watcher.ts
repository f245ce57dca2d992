import type { SupabaseClient } from '@supabase/supabase-js';
import type { ActiveCall } from '../core/rows.js';
import { followCalls, isNewerCall, type LiveSubscriptionOptions, type WatchMode } from './live-subscription.js';

export { POLL_INTERVAL_MS, RESUBSCRIBE_DELAY_MS, type WatchMode } from './live-subscription.js';

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

/**
 * Follows the current call of one context, live with a polling fallback (RT1), so it is never
 * stale for longer than the polling interval. Returns the function that stops it.
 */
export function watchCall(
  supabase: SupabaseClient,
  context: CallContext,
  onState: (state: CallWatchState) => void,
  options: LiveSubscriptionOptions = {},
): () => void {
  let state: CallWatchState = { call: null, mode: 'connecting' };
  let stopped = false;

  function update(next: Partial<CallWatchState>): void {
    if (stopped) return;
    state = { ...state, ...next };
    onState(state);
  }

  function offer(row: ActiveCall): void {
    const isOurs = row.user_email === context.userEmail && (row.lead_id ?? null) === context.leadId;
    if (isOurs && isNewerCall(state.call, row)) update({ call: row });
  }

  const stop = followCalls(
    supabase,
    {
      name: `calls:${context.userEmail}:${context.leadId ?? 'dialer'}`,
      filter: context.leadId === null ? 'lead_id=is.null' : `lead_id=eq.${context.leadId}`,
      async refetch() {
        let query = supabase.from('active_calls').select('*').eq('user_email', context.userEmail);
        query = context.leadId === null ? query.is('lead_id', null) : query.eq('lead_id', context.leadId);
        const { data } = await query.order('started_at', { ascending: false }).limit(1).maybeSingle<ActiveCall>();
        if (data) offer(data);
      },
      onRow: offer,
      onDelete: (old) => {
        if (state.call && old.id === state.call.id) update({ call: null });
      },
      onMode: (mode) => update({ mode }),
    },
    options,
  );

  return () => {
    stopped = true;
    stop();
  };
}

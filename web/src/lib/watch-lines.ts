import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { POLL_INTERVAL_MS, RESUBSCRIBE_DELAY_MS, type WatchMode } from '../../../src/client/call-watcher.js';
import { canTransition } from '../../../src/core/call-status.js';
import type { ActiveCall } from '../../../src/core/rows.js';

export const LINE_NUMBERS = [1, 2, 3] as const;
export type LineNumber = (typeof LINE_NUMBERS)[number];

export interface LinesState {
  /** The latest call of each line (live or ended), null for a line never used. */
  readonly lines: Readonly<Record<LineNumber, ActiveCall | null>>;
  readonly mode: WatchMode;
}

export const NO_LINES: LinesState = { lines: { 1: null, 2: null, 3: null }, mode: 'connecting' };

let channelCounter = 0;

const isLineNumber = (value: number): value is LineNumber => (LINE_NUMBERS as readonly number[]).includes(value);

/**
 * Follows the latest call on each of the user's lines, by the same rules as `watchCall`:
 * realtime while subscribed, REST polling whenever not, a refetch after each (re)subscription.
 */
export function watchLines(supabase: SupabaseClient, userEmail: string, onState: (state: LinesState) => void): () => void {
  let state: LinesState = NO_LINES;
  let channel: RealtimeChannel | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  function update(next: Partial<LinesState>): void {
    if (stopped) return;
    state = { ...state, ...next };
    onState(state);
  }

  /** Takes a row unless it shows its line's call going backwards or an older call. */
  function offer(row: ActiveCall): void {
    if (row.user_email !== userEmail || !isLineNumber(row.line_number)) return;
    const current = state.lines[row.line_number];
    if (current && current.id === row.id) {
      if (row.status !== current.status && !canTransition(current.status, row.status)) return;
    } else if (current && Date.parse(row.started_at) < Date.parse(current.started_at)) {
      return;
    }
    update({ lines: { ...state.lines, [row.line_number]: row } });
  }

  async function refetch(): Promise<void> {
    const { data, error } = await supabase
      .from('active_calls')
      .select('*')
      .eq('user_email', userEmail)
      .order('started_at', { ascending: false })
      .limit(30);
    if (error || stopped) return;
    for (const row of [...(data as ActiveCall[])].reverse()) offer(row);
  }

  function startPolling(): void {
    update({ mode: 'polling' });
    if (pollTimer) return;
    void refetch();
    pollTimer = setInterval(() => void refetch(), POLL_INTERVAL_MS);
  }

  function subscribe(): void {
    const current = supabase
      .channel(`lines:${userEmail}:${++channelCounter}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: 'active_calls', filter: `user_email=eq.${userEmail}` }, (payload) => {
        if (payload.eventType !== 'DELETE') offer(payload.new as ActiveCall);
      })
      .subscribe((status) => {
        if (stopped || channel !== current) return;
        if (status === 'SUBSCRIBED') {
          clearInterval(pollTimer);
          pollTimer = undefined;
          update({ mode: 'live' });
          void refetch();
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
  void refetch();
  return () => {
    stopped = true;
    clearInterval(pollTimer);
    clearTimeout(resubscribeTimer);
    if (channel) void supabase.removeChannel(channel);
  };
}

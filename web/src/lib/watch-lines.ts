import type { SupabaseClient } from '@supabase/supabase-js';
import { followCalls, isNewerCall, type WatchMode } from '../../../src/client/live-subscription.js';
import { LINE_NUMBERS, type ActiveCall, type LineNumber } from '../../../src/core/rows.js';

export { LINE_NUMBERS, type LineNumber };

export interface LinesState {
  /** The latest call of each line (live or ended), null for a line never used. */
  readonly lines: Readonly<Record<LineNumber, ActiveCall | null>>;
  readonly mode: WatchMode;
}

export const NO_LINES: LinesState = { lines: { 1: null, 2: null, 3: null }, mode: 'connecting' };

const isLineNumber = (value: number): value is LineNumber => (LINE_NUMBERS as readonly number[]).includes(value);

/** Follows the latest call on each of the user's lines, by the same rules as `watchCall`. */
export function watchLines(supabase: SupabaseClient, userEmail: string, onState: (state: LinesState) => void): () => void {
  let state: LinesState = NO_LINES;
  let stopped = false;

  function update(next: Partial<LinesState>): void {
    if (stopped) return;
    state = { ...state, ...next };
    onState(state);
  }

  function offer(row: ActiveCall): void {
    if (row.user_email !== userEmail || !isLineNumber(row.line_number)) return;
    if (isNewerCall(state.lines[row.line_number], row)) update({ lines: { ...state.lines, [row.line_number]: row } });
  }

  const stop = followCalls(supabase, {
    name: `lines:${userEmail}`,
    filter: `user_email=eq.${userEmail}`,
    async refetch() {
      const { data } = await supabase.from('active_calls').select('*').eq('user_email', userEmail).order('started_at', { ascending: false }).limit(30);
      for (const row of [...((data ?? []) as ActiveCall[])].reverse()) offer(row);
    },
    onRow: offer,
    onMode: (mode) => update({ mode }),
  });

  return () => {
    stopped = true;
    stop();
  };
}

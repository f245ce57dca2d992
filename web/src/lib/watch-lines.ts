import type { SupabaseClient } from '@supabase/supabase-js';
import { isTerminal } from '../../../src/core/call-status.js';
import { followCalls, isNewerCall, type WatchMode } from '../../../src/client/live-subscription.js';
import { LINE_NUMBERS, type ActiveCall, type LineNumber } from '../../../src/core/rows.js';

export { LINE_NUMBERS, type LineNumber };

export interface LinesState {
  /** The latest call of each line (live or ended), null for a line never used. */
  readonly lines: Readonly<Record<LineNumber, ActiveCall | null>>;
  readonly mode: WatchMode;
  /** The lines have been read once: until then a line that looks free may be busy. */
  readonly isLoaded: boolean;
}

export const NO_LINES: LinesState = { lines: { 1: null, 2: null, 3: null }, mode: 'connecting', isLoaded: false };

/** Whether each line has a call that has not ended. */
export function busyLines(lines: LinesState['lines']): Record<LineNumber, boolean> {
  const isBusy = (line: LineNumber) => {
    const call = lines[line];
    return call !== null && !isTerminal(call.status);
  };
  return { 1: isBusy(1), 2: isBusy(2), 3: isBusy(3) };
}

/** The lowest line with no live call, or null when all three are busy. */
export const firstFreeLine = (busy: Readonly<Record<LineNumber, boolean>>): LineNumber | null => LINE_NUMBERS.find((line) => !busy[line]) ?? null;

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
      if (!state.isLoaded) update({ isLoaded: true });
    },
    onRow: offer,
    onMode: (mode) => update({ mode }),
  });

  return () => {
    stopped = true;
    stop();
  };
}

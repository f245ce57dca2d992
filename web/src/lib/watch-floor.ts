import type { SupabaseClient } from '@supabase/supabase-js';
import { isNewerCall, type WatchMode } from '../../../src/client/live-subscription.js';
import { CALL_STATUSES, isTerminal } from '../../../src/core/call-status.js';
import type { ActiveCall } from '../../../src/core/rows.js';
import { followTable } from './follow-table.js';
import type { MemberRow, RepStateRow } from './team-api.js';

export interface FloorState {
  readonly members: ReadonlyMap<string, MemberRow>;
  readonly states: ReadonlyMap<string, RepStateRow>;
  /** Live calls only (dialing, ringing, connected), by id. */
  readonly calls: ReadonlyMap<string, ActiveCall>;
  /** The least live of the three feeds: `live` only when all three are. */
  readonly mode: WatchMode;
}

export const EMPTY_FLOOR: FloorState = { members: new Map(), states: new Map(), calls: new Map(), mode: 'connecting' };

const LIVE_STATUSES = CALL_STATUSES.filter((status) => !isTerminal(status));
const MODE_RANK: Readonly<Record<WatchMode, number>> = { polling: 0, connecting: 1, live: 2 };

/**
 * A keyed set of rows fed by realtime and by refetches. A refetch replaces the set, except for
 * rows realtime delivered after the refetch began (newer than its snapshot), so neither a call
 * that ended while the feed was down nor one that started during the fetch is shown wrongly.
 */
export class RowSet<Row> {
  /** Changed in place as rows arrive; `snapshot` copies it at most once per frame, for React. */
  private readonly current = new Map<string, Row>();
  private shown: ReadonlyMap<string, Row> = new Map();
  private isDirty = false;
  private readonly heardAt = new Map<string, number>();
  constructor(
    private readonly keyOf: (row: Row) => string,
    private readonly accept: (current: Row | undefined, row: Row) => boolean,
    private readonly keep: (row: Row) => boolean,
  ) {}

  offer(row: Row): boolean {
    const key = this.keyOf(row);
    if (!this.accept(this.current.get(key), row)) return false;
    this.heardAt.set(key, performance.now());
    if (this.keep(row)) this.current.set(key, row);
    else this.current.delete(key);
    this.isDirty = true;
    return true;
  }

  remove(key: string): void {
    this.isDirty = this.current.delete(key) || this.isDirty;
  }

  replace(fetched: readonly Row[], fetchStartedAt: number): void {
    // What realtime said after the fetch began wins (undefined: the row ended or left); what it
    // said before, the fetch knows better, so it is forgotten.
    const heardSince = new Map<string, Row | undefined>();
    for (const [key, at] of this.heardAt) {
      if (at > fetchStartedAt) heardSince.set(key, this.current.get(key));
      else this.heardAt.delete(key);
    }
    this.current.clear();
    for (const row of fetched) if (this.keep(row)) this.current.set(this.keyOf(row), row);
    for (const [key, row] of heardSince) {
      if (row) this.current.set(key, row);
      else this.current.delete(key);
    }
    this.isDirty = true;
  }

  snapshot(): ReadonlyMap<string, Row> {
    if (this.isDirty) {
      this.shown = new Map(this.current);
      this.isDirty = false;
    }
    return this.shown;
  }
}

/**
 * Follows a workspace's floor: its members, their states and every live call, each live over
 * realtime with the polling fallback (RT1). Changes that arrive together are handed on once per
 * animation frame, so 150 lines changing at once cost one render. Returns the stop function.
 */
export function watchFloor(supabase: SupabaseClient, workspaceId: string, onState: (state: FloorState) => void): () => void {
  const members = new RowSet<MemberRow>((m) => m.user_email, () => true, (m) => m.is_active);
  const states = new RowSet<RepStateRow>((s) => s.user_email, (current, row) => !current || row.updated_at >= current.updated_at, () => true);
  const calls = new RowSet<ActiveCall>((c) => c.id, (current, row) => isNewerCall(current ?? null, row), (c) => !isTerminal(c.status));
  const modes: Record<'members' | 'states' | 'calls', WatchMode> = { members: 'connecting', states: 'connecting', calls: 'connecting' };
  let frame: number | undefined;
  let stopped = false;

  function flush(): void {
    frame = undefined;
    if (stopped) return;
    const mode = Object.values(modes).reduce((a, b) => (MODE_RANK[b] < MODE_RANK[a] ? b : a));
    onState({ members: members.snapshot(), states: states.snapshot(), calls: calls.snapshot(), mode });
  }
  const changed = () => {
    frame ??= requestAnimationFrame(flush);
  };
  const filter = `workspace_id=eq.${workspaceId}`;

  const stops = [
    followTable<MemberRow>(supabase, {
      name: `floor-members:${workspaceId}`,
      table: 'workspace_members',
      filter,
      async refetch() {
        const startedAt = performance.now();
        const { data, error } = await supabase.from('workspace_members').select('*').eq('workspace_id', workspaceId);
        if (error) return;
        members.replace(data as MemberRow[], startedAt);
        changed();
      },
      onRow: (row) => members.offer(row) && changed(),
      onDelete: (old) => {
        if (old.user_email) members.remove(old.user_email);
        changed();
      },
      onMode: (mode) => {
        modes.members = mode;
        changed();
      },
    }),
    followTable<RepStateRow>(supabase, {
      name: `floor-states:${workspaceId}`,
      table: 'rep_states',
      filter,
      async refetch() {
        const startedAt = performance.now();
        const { data, error } = await supabase.from('rep_states').select('*').eq('workspace_id', workspaceId);
        if (error) return;
        states.replace(data as RepStateRow[], startedAt);
        changed();
      },
      onRow: (row) => states.offer(row) && changed(),
      onMode: (mode) => {
        modes.states = mode;
        changed();
      },
    }),
    followTable<ActiveCall>(supabase, {
      name: `floor-calls:${workspaceId}`,
      table: 'active_calls',
      filter,
      async refetch() {
        const startedAt = performance.now();
        const { data, error } = await supabase
          .from('active_calls')
          .select('*')
          .eq('workspace_id', workspaceId)
          .in('status', LIVE_STATUSES)
          .order('started_at', { ascending: true })
          .limit(1000);
        if (error) return;
        calls.replace(data as ActiveCall[], startedAt);
        changed();
      },
      onRow: (row) => calls.offer(row) && changed(),
      onDelete: (old) => {
        if (old.id) calls.remove(old.id);
        changed();
      },
      onMode: (mode) => {
        modes.calls = mode;
        changed();
      },
    }),
  ];

  return () => {
    stopped = true;
    if (frame !== undefined) cancelAnimationFrame(frame);
    stops.forEach((stop) => stop());
  };
}

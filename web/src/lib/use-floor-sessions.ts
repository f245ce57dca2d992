import { useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { DialerSession } from '../../../src/core/dialer-session.js';
import { followTable } from './follow-table.js';

/** A session row as REST and realtime give it (snake_case, ISO times), with the pause reason of migration 0026 when present. */
export type FloorSessionRow = DialerSession & { readonly pause_reason?: string | null };

/**
 * The live (active or paused) power-dial sessions of the workspace by rep, live with a polling
 * fallback (managers and admins read the workspace's sessions, WS1). A session that stops leaves
 * the map; each row is replaced only by a newer one (`updated_at`).
 */
export function useFloorSessions(workspaceId: string | null): ReadonlyMap<string, FloorSessionRow> {
  const supabase = useSupabase();
  const [sessions, setSessions] = useState<ReadonlyMap<string, FloorSessionRow>>(new Map());
  useEffect(() => {
    setSessions(new Map());
    if (!workspaceId) return undefined;
    const offer = (row: FloorSessionRow) =>
      setSessions((current) => {
        const before = current.get(row.user_email);
        if (before && before.id === row.id && before.updated_at > row.updated_at) return current;
        // A stopped session of a rep leaves; an older session's late change does not replace the live one.
        if (row.status === 'stopped') {
          if (before?.id !== row.id) return current;
          const next = new Map(current);
          next.delete(row.user_email);
          return next;
        }
        if (before && before.id !== row.id && before.started_at > row.started_at) return current;
        return new Map(current).set(row.user_email, row);
      });
    return followTable<FloorSessionRow>(supabase, {
      name: `floor-sessions:${workspaceId}`,
      table: 'dialer_sessions',
      filter: `workspace_id=eq.${workspaceId}`,
      async refetch() {
        const { data } = await supabase.from('dialer_sessions').select('*').eq('workspace_id', workspaceId).in('status', ['active', 'paused']);
        if (!data) return;
        setSessions(new Map((data as FloorSessionRow[]).map((row) => [row.user_email, row])));
      },
      onRow: offer,
      onMode: () => {},
    });
  }, [supabase, workspaceId]);
  return sessions;
}

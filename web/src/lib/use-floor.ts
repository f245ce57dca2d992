import { useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { EMPTY_FLOOR, watchFloor, type FloorState } from './watch-floor.js';

/** The workspace's members, states and live calls, live with a polling fallback. */
export function useFloor(workspaceId: string | null): FloorState {
  const supabase = useSupabase();
  const [state, setState] = useState<FloorState>(EMPTY_FLOOR);
  useEffect(() => {
    setState(EMPTY_FLOOR);
    if (!workspaceId) return undefined;
    return watchFloor(supabase, workspaceId, setState);
  }, [supabase, workspaceId]);
  return state;
}

import { useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { NO_LINES, watchLines, type LinesState } from './watch-lines.js';

/** The user's three lines, live with a polling fallback. */
export function useLiveLines(userEmail: string): LinesState {
  const supabase = useSupabase();
  const [state, setState] = useState<LinesState>(NO_LINES);
  useEffect(() => {
    setState(NO_LINES);
    return watchLines(supabase, userEmail, setState);
  }, [supabase, userEmail]);
  return state;
}

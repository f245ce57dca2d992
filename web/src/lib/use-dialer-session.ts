import { useCallback, useEffect, useRef, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { getDialerSession, type DialerSessionAnswer } from './dialer-session-api.js';
import { useFilteredTableChanges } from './use-table-changes.js';

/** Read again this often while realtime is quiet or down, so a missed change is not shown for long. */
const REFRESH_MS = 5000;

/**
 * The rep's power-dial session as getDialerSession answers it (the session, its list, the next
 * leads, the call to wrap up), read again when one of the rep's session rows changes (throttled),
 * and every REFRESH_MS. `reload` reads it at once (after a move).
 */
export function useDialerSession(userEmail: string): { answer: DialerSessionAnswer | null; error: AppError | null; reload(): void } {
  const supabase = useSupabase();
  const [answer, setAnswer] = useState<DialerSessionAnswer | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const sequence = useRef(0);
  const reload = useCallback(() => {
    const mine = ++sequence.current;
    void getDialerSession(supabase).then((result) => {
      // An answer overtaken by a later request is dropped.
      if (mine !== sequence.current) return;
      if (!result.ok) return setError(result.error);
      setError(null);
      setAnswer(result.value);
    });
  }, [supabase]);
  useEffect(() => {
    reload();
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useFilteredTableChanges('dialer_sessions', `user_email=eq.${userEmail}`, reload, 250);
  return { answer, error, reload };
}

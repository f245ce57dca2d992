import type { Session } from '@supabase/supabase-js';
import { useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';

export type SessionState = { readonly kind: 'loading' } | { readonly kind: 'signed-out' } | { readonly kind: 'signed-in'; readonly session: Session };

/** The signed-in session, kept current as supabase-js signs in, refreshes and signs out. */
export function useSession(): SessionState {
  const supabase = useSupabase();
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  useEffect(() => {
    const apply = (session: Session | null) => setState(session ? { kind: 'signed-in', session } : { kind: 'signed-out' });
    void supabase.auth.getSession().then(({ data }) => apply(data.session));
    const { data } = supabase.auth.onAuthStateChange((_event, session) => apply(session));
    return () => data.subscription.unsubscribe();
  }, [supabase]);
  return state;
}

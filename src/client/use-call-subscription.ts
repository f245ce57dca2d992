import type { SupabaseClient } from '@supabase/supabase-js';
import { createContext, createElement, useContext, useEffect, useState, type ReactNode } from 'react';
import { watchCall, type CallWatchState } from './call-watcher.js';

const SupabaseContext = createContext<SupabaseClient | null>(null);

/** Gives the hooks below the app's one supabase-js client. */
export function SupabaseProvider({ client, children }: { client: SupabaseClient; children: ReactNode }) {
  return createElement(SupabaseContext.Provider, { value: client }, children);
}

export function useSupabase(): SupabaseClient {
  const client = useContext(SupabaseContext);
  if (!client) throw new Error('useSupabase needs a <SupabaseProvider> above it');
  return client;
}

const IDLE: CallWatchState = { call: null, mode: 'connecting' };

/** The current call of a lead (DialerModal), live with a polling fallback. */
export function useCallSubscription(userEmail: string | null, leadId: string): CallWatchState {
  return useWatchedCall(userEmail, leadId);
}

/** The current hand-dialled call, i.e. with no lead (PhoneDialer), live with a polling fallback. */
export function useDialerCallSubscription(userEmail: string | null): CallWatchState {
  return useWatchedCall(userEmail, null);
}

function useWatchedCall(userEmail: string | null, leadId: string | null): CallWatchState {
  const supabase = useSupabase();
  const [state, setState] = useState<CallWatchState>(IDLE);
  useEffect(() => {
    setState(IDLE);
    if (!userEmail) return undefined;
    return watchCall(supabase, { userEmail, leadId }, setState);
  }, [supabase, userEmail, leadId]);
  return state;
}

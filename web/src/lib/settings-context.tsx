import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import type { DialerSettings } from '../../../src/core/rows.js';
import { invokeFunction, type FunctionResult } from './invoke-function.js';

export type { DialerSettings };
export type SettingsUpdate = Partial<Omit<DialerSettings, 'user_email' | 'created_at' | 'updated_at'>> & {
  /** Demo mode's simulated clock for the dial gate, in seconds from now; null: the real clock (0018). */
  demo_clock_offset_seconds?: number | null;
};

interface SettingsResponse {
  settings: DialerSettings;
  twilioConfigured: boolean;
}

export interface SettingsState {
  readonly settings: DialerSettings | null;
  readonly isTwilioConfigured: boolean;
  readonly loadError: AppError | null;
  save(update: SettingsUpdate): Promise<FunctionResult<DialerSettings>>;
}

const SettingsContext = createContext<SettingsState | null>(null);

/** Loads the signed-in user's settings once and shares them with every screen. */
export function SettingsProvider({ userEmail, children }: { userEmail: string; children: ReactNode }) {
  const supabase = useSupabase();
  const [loaded, setLoaded] = useState<SettingsResponse | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);

  useEffect(() => {
    let isCurrent = true;
    void invokeFunction<SettingsResponse>(supabase, 'dialerSettings', { userEmail }).then((result) => {
      if (!isCurrent) return;
      if (result.ok) setLoaded(result.value);
      else setLoadError(result.error);
    });
    return () => {
      isCurrent = false;
    };
  }, [supabase, userEmail]);

  const save = useCallback(
    async (update: SettingsUpdate): Promise<FunctionResult<DialerSettings>> => {
      const result = await invokeFunction<SettingsResponse>(supabase, 'dialerSettings', { userEmail, update });
      if (!result.ok) return result;
      setLoaded(result.value);
      return { ok: true, value: result.value.settings };
    },
    [supabase, userEmail],
  );

  const value = useMemo<SettingsState>(
    () => ({ settings: loaded?.settings ?? null, isTwilioConfigured: loaded?.twilioConfigured ?? false, loadError, save }),
    [loaded, loadError, save],
  );
  return <SettingsContext.Provider value={value}>{children}</SettingsContext.Provider>;
}

export function useSettings(): SettingsState {
  const state = useContext(SettingsContext);
  if (!state) throw new Error('useSettings needs a <SettingsProvider> above it');
  return state;
}

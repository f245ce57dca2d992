import { useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import type { ActiveCall } from '../../../src/core/rows.js';
import { endCall, placeCall, type CallRequest, type PlacedCall } from './place-call.js';
import { useSettings } from './settings-context.js';

export interface CallActions {
  readonly isBusy: boolean;
  readonly error: AppError | null;
  /** A short confirmation after switching to demo mode. */
  readonly notice: string | null;
  place(request: Omit<CallRequest, 'userEmail'>): Promise<PlacedCall | null>;
  hangUp(call: ActiveCall): Promise<void>;
  switchToDemoMode(): Promise<void>;
}

/** Placing and hanging up calls for a dialer, with the error or notice to show. */
export function useCallActions(userEmail: string): CallActions {
  const supabase = useSupabase();
  const { settings, save } = useSettings();
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function place(request: Omit<CallRequest, 'userEmail'>): Promise<PlacedCall | null> {
    if (!settings) return null;
    setBusy(true);
    setError(null);
    setNotice(null);
    const result = await placeCall(supabase, settings, { ...request, userEmail });
    setBusy(false);
    if (result.ok) return result.value;
    setError(result.error);
    return null;
  }

  async function hangUp(call: ActiveCall): Promise<void> {
    if (!call.call_sid) return;
    setError(null);
    const result = await endCall(supabase, call.call_sid, userEmail);
    if (!result.ok) setError(result.error);
  }

  async function switchToDemoMode(): Promise<void> {
    const result = await save({ use_mock_dialer: true });
    if (!result.ok) return setError(result.error);
    setError(null);
    setNotice('Demo mode is on: calls are simulated. Press Call to dial.');
  }

  return { isBusy, error, notice, place, hangUp, switchToDemoMode };
}

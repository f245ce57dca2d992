import { useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { checkDial, type DialCheck, type DialCheckRequest } from './compliance-api.js';

/** How long the number must stay unchanged before it is checked, and how often a shown answer is asked again. */
export const DIAL_CHECK_SETTLE_MS = 400;
export const DIAL_CHECK_REFRESH_MS = 60_000;

export type DialCheckState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'checking' }
  | { readonly kind: 'answered'; readonly check: DialCheck }
  | { readonly kind: 'failed'; readonly error: AppError };

type Answer = { readonly key: string; readonly state: DialCheckState };

/**
 * The server's answer to "may this number be called now?" (`checkDial`, a dry run of the dial
 * gate), asked once the number settles, again every minute (the window opens and closes as the
 * callee's clock moves) and whenever `version` changes (a call ended, so attempts moved, or the
 * simulated clock was set). Null `request`: nothing to check. The server still decides at the
 * dial itself; this only tells the user beforehand.
 */
export function useDialCheck(request: DialCheckRequest | null, version: string | number = 0): DialCheckState {
  const supabase = useSupabase();
  const [answer, setAnswer] = useState<Answer | null>(null);
  const to = request?.to ?? null;
  const leadId = request?.leadId;
  const extension = request?.extension;
  const mock = request?.mock;
  const key = JSON.stringify([to, leadId, extension, mock]);
  useEffect(() => {
    if (to === null) return undefined;
    let isCurrent = true;
    const ask = () => {
      void checkDial(supabase, { to, leadId, extension, mock }).then((result) => {
        if (!isCurrent) return;
        setAnswer({ key, state: result.ok ? { kind: 'answered', check: result.value } : { kind: 'failed', error: result.error } });
      });
    };
    const settle = setTimeout(ask, DIAL_CHECK_SETTLE_MS);
    const refresh = setInterval(ask, DIAL_CHECK_REFRESH_MS);
    return () => {
      isCurrent = false;
      clearTimeout(settle);
      clearInterval(refresh);
    };
  }, [supabase, key, to, leadId, extension, mock, version]);
  if (to === null) return { kind: 'idle' };
  // An answer for another number is never shown while this one is asked.
  return answer && answer.key === key ? answer.state : { kind: 'checking' };
}

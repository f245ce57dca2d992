import { useCallback, useEffect, useRef, useState } from 'react';
import { isTerminal } from '../../../src/core/call-status.js';
import type { ActiveCall } from '../../../src/core/rows.js';

/** How long a finished call's outcome stays on the dialer before it goes back to idle. */
export const FINAL_OUTCOME_HOLD_MS = 6_000;

/**
 * What a dialer shows of the call it follows: a live call always; a finished call only if it
 * was seen live (or placed) here, for `holdMs` (null: until the next call), then nothing.
 * So an old call read at page load does not reappear as if it had just ended.
 */
export function useShownCall(call: ActiveCall | null, holdMs: number | null): { shown: ActiveCall | null; markOwn(callId: string): void } {
  const seenLive = useRef(new Set<string>());
  const [expiredId, setExpiredId] = useState<string | null>(null);
  const [ownVersion, setOwnVersion] = useState(0);
  const isLive = call !== null && !isTerminal(call.status);
  if (call && isLive) seenLive.current.add(call.id);

  const callId = call?.id;
  const isFinished = call !== null && isTerminal(call.status);
  useEffect(() => {
    if (!callId || !isFinished || holdMs === null || !seenLive.current.has(callId)) return undefined;
    const timer = setTimeout(() => setExpiredId(callId), holdMs);
    return () => clearTimeout(timer);
  }, [callId, isFinished, holdMs, ownVersion]);

  const markOwn = useCallback((id: string) => {
    seenLive.current.add(id);
    setOwnVersion((v) => v + 1);
  }, []);

  const shown = call && (isLive || (seenLive.current.has(call.id) && expiredId !== call.id)) ? call : null;
  return { shown, markOwn };
}

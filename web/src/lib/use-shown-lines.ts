import { useCallback, useEffect, useRef, useState } from 'react';
import { isTerminal } from '../../../src/core/call-status.js';
import type { ActiveCall } from '../../../src/core/rows.js';
import { LINE_NUMBERS, type LineNumber } from './watch-lines.js';

type Lines = Readonly<Record<LineNumber, ActiveCall | null>>;

/**
 * What a dialer shows on each line, by `useShownCall`'s rule applied line by line: a live call
 * always; a finished call only if it was seen live (or placed) here, for `holdMs`, then nothing.
 * Each line keeps its own clock, so one line's call ending never clears another line's status.
 */
export function useShownLines(lines: Lines, holdMs: number): { shown: Lines; markOwn(callId: string): void } {
  const seenLive = useRef(new Set<string>());
  const [expired, setExpired] = useState<ReadonlySet<string>>(() => new Set());
  const [ownVersion, setOwnVersion] = useState(0);
  for (const line of LINE_NUMBERS) {
    const call = lines[line];
    if (call && !isTerminal(call.status)) seenLive.current.add(call.id);
  }

  // The ids of the finished calls still on show, as one string so the effect reruns only when they change.
  const held = LINE_NUMBERS.map((line) => lines[line])
    .filter((call): call is ActiveCall => call !== null && isTerminal(call.status) && seenLive.current.has(call.id) && !expired.has(call.id))
    .map((call) => call.id)
    .join(',');
  useEffect(() => {
    if (held === '') return undefined;
    const timer = setTimeout(() => setExpired((before) => new Set([...before, ...held.split(',')])), holdMs);
    return () => clearTimeout(timer);
  }, [held, holdMs, ownVersion]);

  const markOwn = useCallback((id: string) => {
    seenLive.current.add(id);
    setOwnVersion((v) => v + 1);
  }, []);

  const show = (call: ActiveCall | null) => (call && (!isTerminal(call.status) || (seenLive.current.has(call.id) && !expired.has(call.id))) ? call : null);
  return { shown: { 1: show(lines[1]), 2: show(lines[2]), 3: show(lines[3]) }, markOwn };
}

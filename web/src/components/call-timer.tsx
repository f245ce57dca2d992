import { useEffect, useState } from 'react';
import { formatDuration } from '../lib/format.js';

/** Talk time since `since`, ticking every second until `until` is set. */
export function CallTimer({ since, until }: { since: string; until: string | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  const end = until ? Date.parse(until) : now;
  return (
    <span className="call-timer" role="timer" aria-label="Talk time" data-testid="call-timer">
      {formatDuration((end - Date.parse(since)) / 1000)}
    </span>
  );
}

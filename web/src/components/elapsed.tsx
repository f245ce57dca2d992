import { formatDuration } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';

/** Time since `since`, ticking with the page's one shared clock. */
export function Elapsed({ since, label, testId }: { since: string; label: string; testId?: string }) {
  const now = useNow();
  return (
    <span className="elapsed" role="timer" aria-label={label} data-testid={testId}>
      {formatDuration((now - Date.parse(since)) / 1000)}
    </span>
  );
}

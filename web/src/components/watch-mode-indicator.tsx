import type { WatchMode } from '../../../src/client/call-watcher.js';

const MODE_TEXT: Readonly<Record<WatchMode, { label: string; title: string }>> = {
  connecting: { label: 'connecting', title: 'Connecting to live updates…' },
  live: { label: 'live', title: 'Call status updates arrive live.' },
  polling: { label: 'polling', title: 'Live updates are interrupted: checking for changes every 2 seconds until they come back.' },
};

/** Says whether call updates arrive live or by polling while realtime is down (RT1). */
export function WatchModeIndicator({ mode }: { mode: WatchMode }) {
  const { label, title } = MODE_TEXT[mode];
  return (
    <span className={`watch-mode watch-mode--${mode}`} role="status" aria-label={`Updates: ${label}`} title={title} data-testid="watch-mode">
      <span className="watch-mode__dot" aria-hidden="true" />
      {label}
    </span>
  );
}

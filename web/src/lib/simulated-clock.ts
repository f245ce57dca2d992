import type { DialerSettings } from './settings-context.js';

/**
 * Demo mode's simulated clock for the dial gate: seconds added to now (null: the real clock).
 * Read off the settings row as `dialerSettings` sends it (`demo_clock_offset_seconds`, 0018).
 */
export function demoClockOffset(settings: DialerSettings | null): number | null {
  const value = (settings as (DialerSettings & { demo_clock_offset_seconds?: unknown }) | null)?.demo_clock_offset_seconds;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The offset that makes the gate's clock read `local` ('YYYY-MM-DDTHH:MM', the browser's time)
 * now; rounded up to a whole second, so the gate never reads a moment before it.
 */
export function offsetFor(local: string, now: number): number | null {
  const at = new Date(local).getTime();
  return Number.isNaN(at) ? null : Math.ceil((at - now) / 1000);
}

/** 'YYYY-MM-DDTHH:MM' in the browser's time zone, for a datetime-local field. */
export function toLocalInput(at: number): string {
  const date = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

import { useEffect, useRef } from 'react';

/** Whether a key press is someone typing: in a field, a list box or editable text, or with a modifier held. */
export function isTyping(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest('input, textarea, select, [contenteditable="true"]') !== null;
}

/**
 * Single-key shortcuts for a screen: `handlers` by lower-case key (`h`, `p`, ...). A key does
 * nothing while the user types in an input, textarea or select (or holds Ctrl, Alt or Meta), or
 * repeats while held. The latest handlers are used without re-registering.
 */
export function useShortcuts(handlers: Readonly<Record<string, () => void>>): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.repeat || event.defaultPrevented || isTyping(event)) return;
      const handler = latest.current[event.key.toLowerCase()];
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

import { useEffect, useState } from 'react';

/** `value`, once it has stopped changing for `ms` (so a search is not a request per keystroke). */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

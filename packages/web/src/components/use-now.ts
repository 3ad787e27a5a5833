import { useEffect, useState } from 'preact/hooks';

/**
 * The current time in ms, updated every `intervalMs` (for live countdowns).
 *
 * @example
 * const now = useNow();
 */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

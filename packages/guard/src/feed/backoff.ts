/**
 * Exponential backoff with jitter, bounded: attempt 1 waits about `minMs`, each further attempt doubles,
 * never beyond `maxMs`. The jitter (50–100 % of the step) keeps a fleet of guards from reconnecting in step.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, minMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.max(1, Math.round(step * (0.5 + random() * 0.5)));
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. The timer does not hold the process. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

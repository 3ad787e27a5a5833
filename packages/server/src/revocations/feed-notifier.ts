import type { Coordinator } from '../coordinator/index.js';
import type { Storage } from '../storage/index.js';

/** Wakes feed readers (long-polls, SSE streams) of this process when new events exist. */
export interface FeedNotifier {
  subscribe(callback: () => void): () => void;
  close(): void;
}

/**
 * Merges two sources: the coordinator's fan-out (instant) and a cheap poll of the latest
 * cursor in storage while anyone listens, which catches events written by another process
 * that has no coordinator link (the CLI on the same data dir) or a lost fan-out message.
 *
 * @example
 * ```ts
 * const notifier = createFeedNotifier(storage, coordinator, 1000);
 * const unsubscribe = notifier.subscribe(() => pump());
 * ```
 */
export function createFeedNotifier(storage: Storage, coordinator: Coordinator, pollMs: number): FeedNotifier {
  const listeners = new Set<() => void>();
  let lastCursor: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const unsubscribeCoordinator = coordinator.onRevocation((event) => {
    lastCursor = Math.max(lastCursor ?? 0, event.cursor);
    notify();
  });
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const latest = await storage.revocations.latestCursor();
      // A lower cursor than before is news too: the store was restored or failed over.
      if (lastCursor !== undefined && latest !== lastCursor) notify();
      lastCursor = latest;
    } catch {
      // Storage hiccup: the next tick tries again.
    } finally {
      polling = false;
    }
  };
  const start = () => {
    if (timer !== undefined) return;
    void poll();
    timer = setInterval(() => void poll(), pollMs);
    timer.unref();
  };
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    subscribe(callback) {
      listeners.add(callback);
      start();
      return () => {
        listeners.delete(callback);
        if (listeners.size === 0) stop();
      };
    },
    close() {
      stop();
      listeners.clear();
      unsubscribeCoordinator();
    },
  };
}

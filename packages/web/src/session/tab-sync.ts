/**
 * Coordination between tabs of the same origin: one refresh at a time (Web Locks) and
 * sharing fresh cards and check-outs (BroadcastChannel). Both degrade to single-tab
 * behaviour where the browser lacks them.
 */
import type { TokenResponse } from '../api/types.js';

export type TabMessage =
  | { type: 'token'; audience: string; response: TokenResponse } // a tab signed in, refreshed or minted a door card
  | { type: 'logout'; sessionId: string | undefined } // a tab checked out: the session is gone
  | { type: 'hello' }; // a new tab asks whether someone already holds a card

export interface TabSync {
  /** True when Web Locks serialize refreshes across tabs (else only within this tab). */
  readonly crossTabLocks: boolean;
  /** Runs `fn` while holding the `keycard-refresh` lock of this origin. */
  withRefreshLock<T>(fn: () => Promise<T>): Promise<T>;
  post(message: TabMessage): void;
  subscribe(listener: (message: TabMessage) => void): () => void;
  close(): void;
}

export const REFRESH_LOCK = 'keycard-refresh';
export const CHANNEL_NAME = 'keycard';

/**
 * Tab coordination on top of `navigator.locks` and `BroadcastChannel('keycard')`.
 *
 * @example
 * const sync = createTabSync();
 * await sync.withRefreshLock(() => refreshOnce());
 */
export function createTabSync(): TabSync {
  const locks: LockManager | undefined = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : undefined;
  const listeners = new Set<(message: TabMessage) => void>();
  // Without Web Locks, a local queue still keeps this tab to one refresh at a time.
  let localQueue: Promise<unknown> = Promise.resolve();

  if (channel) {
    channel.onmessage = (event: MessageEvent<TabMessage>) => {
      const message = event.data;
      if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
      for (const listener of listeners) listener(message);
    };
  }

  return {
    crossTabLocks: locks !== undefined,
    withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
      if (locks) return locks.request(REFRESH_LOCK, { mode: 'exclusive' }, () => fn()) as Promise<T>;
      const run = localQueue.then(fn, fn);
      localQueue = run.catch(() => undefined);
      return run;
    },
    post(message: TabMessage): void {
      channel?.postMessage(message);
    },
    subscribe(listener: (message: TabMessage) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close(): void {
      listeners.clear();
      channel?.close();
    },
  };
}

import { createLocalListeners } from './listeners.js';
import { createLocalLimits } from './sliding-log.js';
import type { Coordinator } from './types.js';

/**
 * The single-process {@link Coordinator}: in-process listener lists, sliding-window counters and
 * flags with a time to live, all in bounded memory.
 *
 * @example
 * ```ts
 * const coordinator = createMemoryCoordinator({ clock: Date.now });
 * const { allowed } = await coordinator.rateLimit('login:ip:127.0.0.1', 30, 60_000);
 * ```
 */
export function createMemoryCoordinator(opts: { clock?: () => number } = {}): Coordinator {
  const listeners = createLocalListeners();
  const limits = createLocalLimits(opts.clock ?? Date.now);
  return {
    async publishRevocation(event) {
      listeners.revocation(event);
    },
    onRevocation: (callback) => listeners.onRevocation(callback),
    async rateLimit(key, limit, windowMs, cost = 1) {
      return limits.rateLimit(key, limit, windowMs, cost);
    },
    async setFlag(key, ttlMs) {
      limits.setFlag(key, ttlMs);
    },
    async hasFlag(key) {
      return limits.hasFlag(key);
    },
    async publishInvalidation(what) {
      listeners.invalidation(what);
    },
    onInvalidation: (callback) => listeners.onInvalidation(callback),
    health: () => [],
    async close() {
      listeners.clear();
      limits.clear();
    },
  };
}

import type { RevocationEvent } from '../storage/index.js';
import type { Coordinator } from './types.js';

/** Bounded memory for flags: past this many, the oldest is forgotten first. */
const MAX_FLAGS = 100_000;

/**
 * The single-process {@link Coordinator}: an in-process listener list, fixed-window counters
 * and flags with a time to live.
 *
 * @example
 * ```ts
 * const coordinator = createMemoryCoordinator({ clock: Date.now });
 * const { allowed } = await coordinator.rateLimit('login:ip:127.0.0.1', 30, 60_000);
 * ```
 */
export function createMemoryCoordinator(opts: { clock?: () => number } = {}): Coordinator {
  const clock = opts.clock ?? Date.now;
  const listeners = new Set<(event: RevocationEvent) => void>();
  const windows = new Map<string, { start: number; windowMs: number; count: number }>();
  const flags = new Map<string, number>();
  let lastSweep = clock();

  const sweep = (now: number) => {
    // Bounded memory: forget finished windows now and then.
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    for (const [key, w] of windows) if (now >= w.start + w.windowMs) windows.delete(key);
    for (const [key, expiresAt] of flags) if (now >= expiresAt) flags.delete(key);
  };

  return {
    async publishRevocation(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch {
          // A broken subscriber must not stop the others.
        }
      }
    },
    onRevocation(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    async rateLimit(key, limit, windowMs, cost = 1) {
      const now = clock();
      sweep(now);
      let w = windows.get(key);
      if (cost < 0) {
        if (w !== undefined && now < w.start + w.windowMs) w.count = Math.max(0, w.count + cost);
        return { allowed: true, retryAfterMs: 0 };
      }
      if (w === undefined || now >= w.start + w.windowMs) {
        w = { start: now, windowMs, count: 0 };
        if (cost > 0) windows.set(key, w);
      }
      if (w.count + Math.max(cost, 1) > limit) {
        return { allowed: false, retryAfterMs: Math.max(1, w.start + w.windowMs - now) };
      }
      w.count += cost;
      return { allowed: true, retryAfterMs: 0 };
    },
    async setFlag(key, ttlMs) {
      const now = clock();
      sweep(now);
      // Re-inserted at the end, so the oldest flag goes first when the map is full.
      flags.delete(key);
      flags.set(key, now + ttlMs);
      if (flags.size > MAX_FLAGS) flags.delete(flags.keys().next().value as string);
    },
    async hasFlag(key) {
      const expiresAt = flags.get(key);
      return expiresAt !== undefined && clock() < expiresAt;
    },
    async close() {
      listeners.clear();
      windows.clear();
      flags.clear();
    },
  };
}

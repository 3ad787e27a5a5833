import type { RateLimitResult } from './types.js';

/** Bounded memory: past this many keys, the least recently counted is forgotten first. */
const MAX_KEYS = 100_000;

/** In-process sliding-window counters (a log of hit times per key) and flags with a time to live. */
export interface LocalLimits {
  rateLimit(key: string, limit: number, windowMs: number, cost?: number): RateLimitResult;
  setFlag(key: string, ttlMs: number): void;
  hasFlag(key: string): boolean;
  clear(): void;
}

/**
 * Exact sliding window: a key keeps the times of its counted hits (at most `limit` of them, since
 * refused hits are not counted); a hit at `t` counts until `t + windowMs`. So no interval of
 * `windowMs` ever holds more than `limit` hits, and there is no 2x burst at a window edge.
 *
 * @example
 * ```ts
 * const limits = createLocalLimits(Date.now);
 * limits.rateLimit('login:ip:10.0.0.1', 30, 60_000).allowed;
 * ```
 */
export function createLocalLimits(clock: () => number): LocalLimits {
  const logs = new Map<string, { windowMs: number; hits: number[] }>();
  const flags = new Map<string, number>();
  let lastSweep = clock();

  const sweep = (now: number) => {
    // Bounded memory: forget keys whose hits all left their window, and run-out flags, now and then.
    if (now - lastSweep < 60_000 && now >= lastSweep) return;
    lastSweep = now;
    for (const [key, log] of logs) {
      const newest = log.hits[log.hits.length - 1];
      if (newest === undefined || now - newest >= log.windowMs) logs.delete(key);
    }
    for (const [key, expiresAt] of flags) if (now >= expiresAt) flags.delete(key);
  };
  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    // Re-inserted at the end, so the least recently used key goes first when the map is full.
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_KEYS) map.delete(map.keys().next().value as string);
  };

  return {
    rateLimit(key, limit, windowMs, cost = 1) {
      const now = clock();
      sweep(now);
      const log = logs.get(key);
      const hits = log === undefined ? [] : log.hits.filter((t) => now - t < windowMs);
      if (cost < 0) {
        hits.splice(Math.max(0, hits.length + cost));
        if (log !== undefined) log.hits = hits;
        return { allowed: true, retryAfterMs: 0 };
      }
      const need = Math.max(cost, 1);
      if (hits.length + need > limit) {
        // The hit that has to leave for `need` more to fit (the oldest one when need is 1).
        const blocking = hits[Math.min(hits.length - 1, Math.max(0, hits.length + need - limit - 1))];
        const retryAfterMs = blocking === undefined ? windowMs : blocking + windowMs - now;
        if (log !== undefined) log.hits = hits;
        return { allowed: false, retryAfterMs: Math.max(1, retryAfterMs) };
      }
      for (let i = 0; i < cost; i++) hits.push(now);
      if (cost > 0 || log !== undefined) remember(logs, key, { windowMs, hits });
      return { allowed: true, retryAfterMs: 0 };
    },
    setFlag(key, ttlMs) {
      const now = clock();
      sweep(now);
      remember(flags, key, now + ttlMs);
    },
    hasFlag(key) {
      const expiresAt = flags.get(key);
      return expiresAt !== undefined && clock() < expiresAt;
    },
    clear() {
      logs.clear();
      flags.clear();
    },
  };
}

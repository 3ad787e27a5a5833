import type { RateLimitResult } from './types.js';

/** Bounded memory: past this many keys, one of the least recently counted is forgotten. */
const MAX_KEYS = 100_000;
/** How many of the least recently counted keys an eviction compares (see `evictOne`). */
const EVICTION_SAMPLE = 16;

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
  const logs = new Map<string, { windowMs: number; limit: number; hits: number[] }>();
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
  const remember = <V>(map: Map<string, V>, key: string, value: V, evict?: () => void) => {
    // Re-inserted at the end, so the least recently used keys come first when the map is full.
    map.delete(key);
    map.set(key, value);
    if (map.size <= MAX_KEYS) return;
    if (evict === undefined) map.delete(map.keys().next().value as string);
    else evict();
  };
  /**
   * A full map forgets, of its 16 least recently counted keys, the one that used the smallest share
   * of its limit. Plain LRU let anyone reset a victim's counter: sign in as 100,000 made-up users
   * (one failure each, from an IPv6 /48) and the victim's account counter was pushed out and came
   * back empty. Now the flood pushes out its own one-hit keys first; to push out a counter at `h`
   * of its limit, nearly every key in the map must be fuller than that, which costs the attacker
   * about 100,000 times what the victim's counter holds.
   */
  const evictOne = (now: number) => {
    let victim: string | undefined;
    let lowest = Number.POSITIVE_INFINITY;
    let seen = 0;
    for (const [key, log] of logs) {
      let live = 0;
      for (const t of log.hits) if (now - t < log.windowMs) live++;
      const share = live / Math.max(1, log.limit);
      if (share < lowest) {
        lowest = share;
        victim = key;
      }
      if (lowest === 0 || ++seen >= EVICTION_SAMPLE) break;
    }
    if (victim !== undefined) logs.delete(victim);
  };

  return {
    rateLimit(key, limit, windowMs, cost = 1) {
      const now = clock();
      sweep(now);
      const log = logs.get(key);
      // Hits are kept oldest first: drop the ones that left the window from the front, in place
      // (no copy per call, so raising a limit does not make every request slower).
      const hits = log === undefined ? [] : log.hits;
      let expired = 0;
      while (expired < hits.length && now - (hits[expired] as number) >= windowMs) expired++;
      if (expired > 0) hits.splice(0, expired);
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
      if (cost > 0 || log !== undefined) remember(logs, key, { windowMs, limit, hits }, () => evictOne(now));
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

import { createHmac, randomBytes } from 'node:crypto';
import type { RateLimitResult } from './types.js';

/** Bounded memory: past this many keys, the least recently counted leaves the map first. */
const MAX_KEYS = 100_000;
/** Where the hits of keys pushed out of a full map go (see `overflow` below). */
const OVERFLOW_BUCKETS = 65_536;

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
  /**
   * A key pushed out of a full map must not come back with a clean slate: an attacker who floods
   * 100,000 junk keys (sign-ins as made-up users from an IPv6 /48) would otherwise reset a victim's
   * account counter at will. Its hits fold into one of 65,536 buckets (a keyed hash, so nobody can
   * aim at a bucket) as "`count` hits, all at the newest one's time", merged by maximum; a key
   * that is not in the map starts from its bucket. Never fewer hits than the key had, so never
   * looser; a key sharing a bucket with a busy one is only stricter.
   */
  const seed = randomBytes(16);
  const overflow = new Map<number, { count: number; newest: number; windowMs: number }>();
  const bucketOf = (key: string) =>
    createHmac('sha256', seed).update(key).digest().readUInt32BE(0) % OVERFLOW_BUCKETS;
  const fold = (key: string, log: { windowMs: number; hits: number[] }, now: number) => {
    const live = log.hits.filter((t) => now - t < log.windowMs);
    const newest = live[live.length - 1];
    if (newest === undefined) return;
    const bucket = bucketOf(key);
    const prev = overflow.get(bucket);
    overflow.set(bucket, {
      count: Math.max(prev?.count ?? 0, live.length),
      newest: Math.max(prev?.newest ?? newest, newest),
      windowMs: Math.max(prev?.windowMs ?? log.windowMs, log.windowMs),
    });
  };
  const carried = (key: string, windowMs: number, now: number): number[] => {
    if (overflow.size === 0) return [];
    const bucket = overflow.get(bucketOf(key));
    if (bucket === undefined || now - bucket.newest >= windowMs) return [];
    return Array<number>(bucket.count).fill(bucket.newest);
  };

  const sweep = (now: number) => {
    // Bounded memory: forget keys whose hits all left their window, and run-out flags, now and then.
    if (now - lastSweep < 60_000 && now >= lastSweep) return;
    lastSweep = now;
    for (const [key, log] of logs) {
      const newest = log.hits[log.hits.length - 1];
      if (newest === undefined || now - newest >= log.windowMs) logs.delete(key);
    }
    for (const [key, expiresAt] of flags) if (now >= expiresAt) flags.delete(key);
    for (const [bucket, b] of overflow) if (now - b.newest >= b.windowMs) overflow.delete(bucket);
  };
  const remember = <V>(
    map: Map<string, V>,
    key: string,
    value: V,
    evicted?: (key: string, value: V) => void,
  ) => {
    // Re-inserted at the end, so the least recently used key goes first when the map is full.
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_KEYS) {
      const [oldest, old] = map.entries().next().value as [string, V];
      map.delete(oldest);
      evicted?.(oldest, old);
    }
  };

  return {
    rateLimit(key, limit, windowMs, cost = 1) {
      const now = clock();
      sweep(now);
      const log = logs.get(key);
      const hits =
        log === undefined ? carried(key, windowMs, now) : log.hits.filter((t) => now - t < windowMs);
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
      if (cost > 0 || log !== undefined) remember(logs, key, { windowMs, hits }, (k, v) => fold(k, v, now));
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
      overflow.clear();
    },
  };
}

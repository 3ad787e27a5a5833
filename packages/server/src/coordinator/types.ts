import type { RevocationEvent } from '../storage/index.js';

/** Outcome of one rate-limit hit. */
export interface RateLimitResult {
  allowed: boolean;
  /** Milliseconds until the oldest counted hit leaves the window and frees a slot (0 when allowed). */
  retryAfterMs: number;
}

/** A cache another instance can make stale: `directory` = clients, audiences and roles; `keys` = signing keys. */
export type InvalidationTarget = 'directory' | 'keys';

/** One shared backend's state, for `/readyz` detail and the `keycard_coordinator_up` gauge. */
export interface CoordinatorHealth {
  name: 'redis' | 'postgres-notify';
  up: boolean;
  detail?: string;
}

/**
 * What several server instances must share beyond storage: revocation wake-ups, cache
 * invalidations, rate-limit counters and short-lived flags (e.g. "this source signed in to this
 * account lately"). In memory for one process; with Redis (counters, flags, pub/sub) and/or
 * PostgreSQL LISTEN/NOTIFY (wake-ups, invalidations) across instances (see `createCoordinator`).
 */
export interface Coordinator {
  /** Tells every instance (this one included, once each) that an event was appended to storage. */
  publishRevocation(event: RevocationEvent): Promise<void>;
  /** Subscribes to published events; returns the unsubscribe function. */
  onRevocation(callback: (event: RevocationEvent) => void): () => void;
  /**
   * Counts `cost` hits (default 1; 0 only looks: "would one more hit pass?") on `key` in a sliding
   * window: never more than `limit` hits in ANY interval of `windowMs`. Checking and counting are
   * one atomic step, so concurrent callers never overshoot `limit`; a refused call counts nothing.
   * A negative `cost` gives back the newest hits still in the window (never below 0) and is always
   * allowed.
   */
  rateLimit(key: string, limit: number, windowMs: number, cost?: number): Promise<RateLimitResult>;
  /** Remembers `key` for `ttlMs` from now (a later call restarts the time). */
  setFlag(key: string, ttlMs: number): Promise<void>;
  /** Whether `key` is remembered and its time has not run out. */
  hasFlag(key: string): Promise<boolean>;
  /** Tells every instance (this one included, once each) that a cache is stale. */
  publishInvalidation(what: InvalidationTarget): Promise<void>;
  /** Subscribes to invalidations; returns the unsubscribe function. */
  onInvalidation(callback: (what: InvalidationTarget) => void): () => void;
  /** Health of each shared backend (empty for memory only). */
  health(): CoordinatorHealth[];
  close(): Promise<void>;
}

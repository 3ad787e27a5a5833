import type { RevocationEvent } from '../storage/index.js';

/** Outcome of one rate-limit hit. */
export interface RateLimitResult {
  allowed: boolean;
  /** Milliseconds until the window frees a slot (0 when allowed). */
  retryAfterMs: number;
}

/**
 * What several server instances must share beyond storage: revocation fan-out, rate-limit
 * counters and short-lived flags (e.g. "this source signed in to this account lately"). In-memory for one process now; Redis later. Nothing above it keeps such state.
 */
export interface Coordinator {
  /** Tells every instance (including this one) that an event was appended to storage. */
  publishRevocation(event: RevocationEvent): Promise<void>;
  /** Subscribes to published events; returns the unsubscribe function. */
  onRevocation(callback: (event: RevocationEvent) => void): () => void;
  /**
   * Counts `cost` hits (default 1; 0 only looks) on `key` in a fixed window of `windowMs`,
   * allowing at most `limit` per window. Checking and counting are one atomic step, so
   * concurrent callers never overshoot `limit`. A negative `cost` gives hits back to the current
   * window (never below 0; nothing when the window has ended) and is always allowed.
   */
  rateLimit(key: string, limit: number, windowMs: number, cost?: number): Promise<RateLimitResult>;
  /** Remembers `key` for `ttlMs` from now (a later call restarts the time). */
  setFlag(key: string, ttlMs: number): Promise<void>;
  /** Whether `key` is remembered and its time has not run out. */
  hasFlag(key: string): Promise<boolean>;
  close(): Promise<void>;
}

import { JoseInvalidOptions } from '../errors.js';

/**
 * Options of {@link DpopReplayCache}.
 *
 * @example
 * ```ts
 * new DpopReplayCache({ maxEntries: 10_000, windowSeconds: 305 });
 * ```
 */
export interface DpopReplayCacheOptions {
  /** Most proofs remembered at once; default 100000. */
  maxEntries?: number;
  /**
   * How long (seconds after its `iat`) a proof is remembered; default 305, the verifier's default
   * `maxAgeSeconds` + `leewaySeconds`. Must be at least the verifier's maxAgeSeconds + leewaySeconds.
   */
  windowSeconds?: number;
  /** Current time in milliseconds; default Date.now. */
  clock?: () => number;
}

const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_WINDOW_SECONDS = 305;

/**
 * Remembers the `jti` of every proof seen (per proof key: the key is jkt + jti), bounded in time and in
 * memory. An entry lives until `iat + windowSeconds`; after that the verifier refuses the proof as too
 * old anyway, so forgetting it is safe.
 *
 * Eviction rule, when `maxEntries` entries are still inside their window: the entry with the smallest
 * `iat` is dropped and the cache raises its *floor* to that `iat`. From then on every proof with
 * `iat <= floor` is refused, so a forgotten jti can never be accepted again. The price, only under a
 * flood, is that honest proofs as old as the floor are refused too (the client retries with a fresh
 * one). Entries are grouped by `iat` second so finding the oldest never scans the entries.
 *
 * @example
 * ```ts
 * const replays = new DpopReplayCache();
 * const proof = verifyDpopProof(header, { method: 'GET', url, accessToken });
 * if (!replays.check(proof.jkt, proof.claims.jti, proof.claims.iat)) throw new DpopProofReplayed();
 * ```
 */
export class DpopReplayCache {
  readonly maxEntries: number;
  readonly windowSeconds: number;
  readonly #clock: () => number;
  /** jkt + jti → iat. */
  readonly #entries = new Map<string, number>();
  /** floor(iat) → keys of the entries issued in that second. */
  readonly #buckets = new Map<number, Set<string>>();
  #floor = Number.NEGATIVE_INFINITY;
  #lastPurge = Number.NEGATIVE_INFINITY;

  constructor(options: DpopReplayCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new JoseInvalidOptions('maxEntries must be a positive integer');
    }
    if (typeof windowSeconds !== 'number' || !(windowSeconds > 0 && windowSeconds <= 86_400)) {
      throw new JoseInvalidOptions('windowSeconds must be a number from 1 to 86400');
    }
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new JoseInvalidOptions('clock must be a function');
    }
    this.maxEntries = maxEntries;
    this.windowSeconds = windowSeconds;
    this.#clock = options.clock ?? Date.now;
  }

  /** Number of proofs remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Proofs with `iat` at or below this are refused (-Infinity until an eviction inside the window). */
  get floor(): number {
    return this.#floor;
  }

  /**
   * True the first time a (jkt, jti) is seen, and records it; false for a replay, for an `iat` more
   * than `windowSeconds` away from now, and for an `iat` at or below the floor.
   */
  check(jkt: string, jti: string, iat: number): boolean {
    if (
      typeof jkt !== 'string' ||
      typeof jti !== 'string' ||
      typeof iat !== 'number' ||
      !Number.isFinite(iat)
    ) {
      return false;
    }
    const now = this.#clock() / 1000;
    // A proof from beyond the window (either side) is not one a verifier accepts; refusing it also
    // keeps a far-future iat from living long or raising the floor.
    if (iat <= this.#floor || iat < now - this.windowSeconds || iat > now + this.windowSeconds) return false;
    // jkt is base64url, so the first ':' separates it from the jti without ambiguity.
    const key = `${jkt}:${jti}`;
    if (this.#entries.has(key)) return false;
    if (now - this.#lastPurge >= 1 || this.#entries.size >= this.maxEntries) this.#purge(now);
    while (this.#entries.size >= this.maxEntries) this.#evictOldest();
    this.#entries.set(key, iat);
    const second = Math.floor(iat);
    let bucket = this.#buckets.get(second);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(second, bucket);
    }
    bucket.add(key);
    return true;
  }

  /** Drops every bucket whose whole second lies before the window (at most once a second). */
  #purge(now: number): void {
    this.#lastPurge = now;
    const limit = now - this.windowSeconds;
    for (const [second, bucket] of this.#buckets) {
      if (second + 1 > limit) continue;
      for (const key of bucket) this.#entries.delete(key);
      this.#buckets.delete(second);
    }
  }

  /** Drops one entry of the oldest second and raises the floor to its iat. */
  #evictOldest(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const second of this.#buckets.keys()) if (second < oldest) oldest = second;
    const bucket = this.#buckets.get(oldest);
    if (bucket === undefined) return;
    const key = bucket.values().next().value as string;
    bucket.delete(key);
    if (bucket.size === 0) this.#buckets.delete(oldest);
    const iat = this.#entries.get(key)!;
    this.#entries.delete(key);
    if (iat > this.#floor) this.#floor = iat;
  }
}

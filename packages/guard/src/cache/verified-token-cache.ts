import type { AuthResult, CacheAdmission } from '../types.js';
import { Doorkeeper } from './doorkeeper.js';

/** One verified token. `result` is returned as is on a hit, so the warm path allocates nothing. */
export interface CacheEntry {
  readonly result: AuthResult;
  /** `exp` in ms: the entry is never used at or after this instant. */
  readonly expiresAtMs: number;
  readonly sub: string;
  readonly sid: string | undefined;
  readonly jti: string | undefined;
  readonly iat: number | undefined;
  /** The card's `roles` claim (frozen), for `role` revocations. */
  readonly roles: readonly string[];
  /** Second-chance bit: set on a hit, cleared when the evictor passes over the entry. */
  used: boolean;
}

/**
 * Bounded map from token string to verification result. Eviction approximates LRU with the CLOCK
 * ("second chance") scheme: a hit only sets a flag, so the warm path is one Map lookup and no
 * reordering; the evictor skips recently used entries once.
 *
 * With `admission: 'repeat'` a card gets an entry only the second time it is verified (see
 * Doorkeeper): an entry of a card never seen again would live for `maxEntries` insertions, long enough
 * to reach V8's old generation, and a stream of one-off cards would turn into major-GC work.
 *
 * @example
 * const cache = new VerifiedTokenCache(10_000, 'repeat');
 * if (cache.admits(token)) cache.set(token, entry, Date.now());
 * const hit = cache.get(token, Date.now());
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #doorkeeper: Doorkeeper | undefined;

  constructor(
    readonly maxEntries: number,
    admission: CacheAdmission = 'always',
  ) {
    this.#doorkeeper = admission === 'repeat' && maxEntries > 0 ? new Doorkeeper(maxEntries) : undefined;
  }

  /**
   * Whether a freshly verified card should get an entry: never when the cache is off; with the
   * doorkeeper, only when the card was verified recently already (asking records it).
   */
  admits(token: string): boolean {
    if (this.maxEntries === 0) return false;
    return this.#doorkeeper === undefined || this.#doorkeeper.seenBefore(token);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The live entry for `token`, or undefined. Expired entries are dropped here. */
  get(token: string, nowMs: number): CacheEntry | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.expiresAtMs) {
      this.#entries.delete(token);
      return undefined;
    }
    entry.used = true;
    return entry;
  }

  set(token: string, entry: CacheEntry, nowMs: number): void {
    if (this.maxEntries === 0 || nowMs >= entry.expiresAtMs) return;
    if (!this.#entries.has(token) && this.#entries.size >= this.maxEntries) this.#evictOne(nowMs);
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Drops every entry the predicate matches (revocation events); returns how many. */
  evictWhere(predicate: (entry: CacheEntry) => boolean): number {
    let evicted = 0;
    for (const [token, entry] of this.#entries) {
      if (predicate(entry)) {
        this.#entries.delete(token);
        evicted++;
      }
    }
    return evicted;
  }

  #evictOne(nowMs: number): void {
    // Bounded: every entry is passed over at most once before one is evicted.
    let budget = this.#entries.size;
    for (const [token, entry] of this.#entries) {
      if (entry.used && nowMs < entry.expiresAtMs && budget-- > 0) {
        entry.used = false;
        this.#entries.delete(token);
        this.#entries.set(token, entry);
        continue;
      }
      this.#entries.delete(token);
      return;
    }
  }
}

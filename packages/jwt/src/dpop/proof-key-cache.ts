import type { VerifyFn } from '../internal/crypto.js';
import type { JWK, JWSHeader } from '../types.js';

/** A DPoP proof's header, checked, and the key it carries, imported: a pure function of the header segment. */
export interface ProofKey {
  readonly header: JWSHeader;
  /** The proof key, public members only. */
  readonly jwk: JWK;
  /** RFC 7638 thumbprint of `jwk`. */
  readonly jkt: string;
  readonly verify: VerifyFn;
}

/** Longer header segments (e.g. a huge RSA key) are never kept, so the cache stays small. */
const MAX_SEGMENT_LENGTH = 2048;

/**
 * Least-recently-used map from a proof's exact header segment to its checked header and imported key.
 * A client signs every proof with the same key, so its header segment repeats: a hit skips the JSON
 * parse, the header checks, the JWK import (the most expensive step after the signature) and the
 * thumbprint. Only what the segment alone decides is kept; the signature, every claim, the allowed
 * algorithms and the replay check still run on every proof. Entries are added only after a proof's
 * signature verified.
 */
export class ProofKeyCache {
  readonly #entries = new Map<string, ProofKey>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(segment: string): ProofKey | undefined {
    const entry = this.#entries.get(segment);
    if (entry !== undefined && this.#entries.size > 1) {
      // Move to the most recent end.
      this.#entries.delete(segment);
      this.#entries.set(segment, entry);
    }
    return entry;
  }

  set(segment: string, key: ProofKey): void {
    if (segment.length > MAX_SEGMENT_LENGTH || this.#entries.has(segment)) return;
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(segment, key);
  }
}

/** Deep-freezes a parsed JSON header, so a cached one cannot be changed by a caller. */
export function freezeJson<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) freezeJson(member);
    Object.freeze(value);
  }
  return value;
}

/** Shared by every verifyDpopProof call of this process: 1,000 keys (a few hundred KB at most). */
export const proofKeys = new ProofKeyCache(1000);

/** Slots per bucket: a card's hash may sit in any of the four, so two cards rarely push each other out. */
const BUCKET = 4;
const MIN_SLOTS = 1024;
/** 2^18 slots (2 MiB): enough memory for any cache size; a larger cache only admits more slowly. */
const MAX_SLOTS = 1 << 18;
/** Characters hashed from the end of a card: its signature, which differs between any two cards. */
const TAIL = 32;

/**
 * Remembers which cards were seen recently, so the verified-token cache admits a card only the second
 * time it arrives: one-off cards (a crawler's, a load test's, a card used once) then cost no cache
 * entry, no eviction and no old-generation garbage. It stores 32-bit hashes only, never a result, so a
 * collision can only admit a card early or forget one (one more signature check); it never changes
 * what a card verifies to. Fixed memory, no allocation per call.
 *
 * A card is remembered for one to two generations of `slots / 4` recorded cards each.
 *
 * @example
 * const doorkeeper = new Doorkeeper(10_000);
 * doorkeeper.seenBefore(token); // false: recorded
 * doorkeeper.seenBefore(token); // true: admit it (and forget it here)
 */
export class Doorkeeper {
  readonly #hashes: Int32Array;
  /** Generation each slot was written in; a slot older than the previous generation is free. */
  readonly #generations: Int32Array;
  readonly #bucketMask: number;
  readonly #perGeneration: number;
  #generation = 2;
  #recorded = 0;

  /** `capacity`: the cache size it serves; the table holds about twice that many slots (bounded). */
  constructor(capacity: number) {
    let slots = MIN_SLOTS;
    while (slots < capacity * 2 && slots < MAX_SLOTS) slots *= 2;
    this.#hashes = new Int32Array(slots);
    this.#generations = new Int32Array(slots);
    this.#bucketMask = (slots - 1) & ~(BUCKET - 1);
    // Two live generations fill at most half the table.
    this.#perGeneration = slots / 4;
  }

  /** How many distinct cards one generation records. */
  get generationSize(): number {
    return this.#perGeneration;
  }

  /**
   * True when `token` was recorded within the last one to two generations (it is then forgotten: the
   * cache holds it now); otherwise records it and returns false.
   */
  seenBefore(token: string): boolean {
    const hash = tailHash(token);
    const base = hash & this.#bucketMask;
    const generation = this.#generation;
    let victim = base;
    let oldest = generation + 1;
    for (let slot = base; slot < base + BUCKET; slot++) {
      const written = this.#generations[slot]!;
      if (this.#hashes[slot] === hash && generation - written <= 1) {
        this.#generations[slot] = 0;
        return true;
      }
      if (written < oldest) {
        oldest = written;
        victim = slot;
      }
    }
    this.#hashes[victim] = hash;
    this.#generations[victim] = generation;
    if (++this.#recorded === this.#perGeneration) {
      this.#generation++;
      this.#recorded = 0;
    }
    return false;
  }

  /** Forgets every card. */
  clear(): void {
    this.#generations.fill(0);
  }
}

/** FNV-1a over the card's last characters and its length, then a 32-bit finaliser (MurmurHash3's). */
export function tailHash(token: string): number {
  const end = token.length;
  let hash = 0x811c9dc5 ^ end;
  for (let i = end > TAIL ? end - TAIL : 0; i < end; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

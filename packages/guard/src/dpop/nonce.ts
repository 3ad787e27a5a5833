import { createHmac, randomBytes } from 'node:crypto';

/**
 * Stateless server nonces (RFC 9449 §8): HMAC-SHA-256(secret, window number), truncated to 128 bits,
 * where the window is `floor(now / windowSeconds)`. A nonce is accepted during its window and the next
 * one, so a client that just received one always has at least a full window to use it. Guards sharing
 * the secret accept each other's nonces; nothing is stored.
 *
 * @example
 * const nonces = new DpopNonces(undefined, 60, Date.now);
 * nonces.accept(nonces.current()); // true
 */
export class DpopNonces {
  readonly #secret: Buffer;
  readonly #windowMs: number;
  readonly #clock: () => number;
  #window = Number.NaN;
  #current = '';
  #previous = '';

  constructor(secret: string | undefined, windowSeconds: number, clock: () => number) {
    this.#secret = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
    this.#windowMs = windowSeconds * 1000;
    this.#clock = clock;
  }

  /** The nonce to hand out now (`DPoP-Nonce`). */
  current(): string {
    this.#roll();
    return this.#current;
  }

  /** True for a nonce of the current or the previous window. Nonces are public: no secret is compared. */
  accept(nonce: string | undefined): boolean {
    if (typeof nonce !== 'string' || nonce.length !== 22) return false;
    this.#roll();
    return nonce === this.#current || nonce === this.#previous;
  }

  #roll(): void {
    const window = Math.floor(this.#clock() / this.#windowMs);
    if (window === this.#window) return;
    this.#previous = window === this.#window + 1 ? this.#current : this.#make(window - 1);
    this.#current = this.#make(window);
    this.#window = window;
  }

  #make(window: number): string {
    return createHmac('sha256', this.#secret)
      .update(`keycard-dpop-nonce:${window}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }
}

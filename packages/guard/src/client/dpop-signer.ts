import type { PrivateKey } from '@keycard/jwt';
import { createDpopProof, generateKeyPair } from '@keycard/jwt';

/** Most origins whose last `DPoP-Nonce` is remembered. */
const MAX_NONCES = 256;

/**
 * The service client's DPoP key and nonces: an ES256 key generated in memory on first use (never
 * exported, gone with the process), one proof per request, and the last `DPoP-Nonce` each origin
 * (issuer or resource server) sent, which the next proof to that origin carries (RFC 9449 §8, §9).
 *
 * @example
 * const signer = new DpopSigner(Date.now);
 * const proof = await signer.proof('POST', 'https://auth.example.com/oauth/token');
 */
export class DpopSigner {
  #key: Promise<PrivateKey> | undefined;
  readonly #nonces = new Map<string, string>();

  constructor(private readonly clock: () => number) {}

  /** The key (generated once). */
  key(): Promise<PrivateKey> {
    this.#key ??= generateKeyPair('ES256');
    return this.#key;
  }

  async proof(method: string, url: string, accessToken?: string): Promise<string> {
    const key = await this.key();
    const nonce = this.#nonces.get(new URL(url).origin);
    return createDpopProof(key, {
      method,
      url,
      clock: this.clock,
      ...(accessToken === undefined ? {} : { accessToken }),
      ...(nonce === undefined ? {} : { nonce }),
    });
  }

  /** Keeps the `DPoP-Nonce` of an answer; true when it is new (worth one retry). */
  remember(url: string, headers: Headers): boolean {
    const nonce = headers.get('dpop-nonce');
    if (nonce === null || nonce === '' || nonce.length > 512) return false;
    const origin = new URL(url).origin;
    if (this.#nonces.get(origin) === nonce) return false;
    this.#nonces.delete(origin);
    if (this.#nonces.size >= MAX_NONCES) this.#nonces.delete(this.#nonces.keys().next().value as string);
    this.#nonces.set(origin, nonce);
    return true;
  }
}

/**
 * The session's proof maker: every sign-in, refresh and call is signed with the origin's DPoP
 * key. `/api/*` proofs name the issuer's URL (what the server checks, even when the page was
 * opened under another host name); door proofs name the door's URL.
 */
import type { ProofFactory } from '../dpop/fetch.js';
import { normalizeHtu } from '../dpop/htu.js';
import type { DpopKey } from '../dpop/proof.js';
import { createDpopProof } from '../dpop/proof.js';

export class ProofSigner {
  constructor(
    private readonly key: () => Promise<DpopKey>,
    /** The issuer URL (`/api/ui-config`), the base of `/api/*` proofs. */
    private readonly apiBase: () => Promise<string>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The issuer URL: where the API lives and sign-in starts. */
  issuer(): Promise<string> {
    return this.apiBase();
  }

  /** The thumbprint of the proof key (what bound cards name in `cnf.jkt`). */
  async jkt(): Promise<string> {
    return (await this.key()).jkt;
  }

  /** Proofs for `method` on the API `path` (e.g. `/api/refresh`), with `ath` when a card is sent. */
  forApi(method: string, path: string, accessToken?: string): ProofFactory {
    return async (nonce) => {
      const url = normalizeHtu(path, await this.apiBase());
      return createDpopProof(await this.key(), { method, url, accessToken, nonce, now: this.now() });
    };
  }

  /** Proofs for `method` on an absolute `url` (a door), with `ath` for the card sent. */
  forUrl(method: string, url: string, accessToken?: string): ProofFactory {
    return async (nonce) =>
      createDpopProof(await this.key(), { method, url, accessToken, nonce, now: this.now() });
  }
}

/**
 * The issuer URL from the public `/api/ui-config`, fetched once; the page's origin if that fails.
 *
 * @example
 * const signer = new ProofSigner(dpopKeyLoader(), issuerLoader());
 */
export function issuerLoader(): () => Promise<string> {
  let loading: Promise<string> | undefined;
  const fallback = typeof location === 'undefined' ? 'http://localhost' : location.origin;
  return () => {
    loading ??= fetch('/api/ui-config', { cache: 'no-store', credentials: 'same-origin' })
      .then(async (res) => {
        const body = (await res.json()) as { issuer?: unknown };
        return typeof body.issuer === 'string' ? body.issuer : fallback;
      })
      .catch(() => {
        loading = undefined;
        return fallback;
      });
    return loading;
  };
}

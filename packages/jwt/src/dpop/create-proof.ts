import { JoseInvalidOptions } from '../errors.js';
import { encode } from '../internal/base64url.js';
import { randomUUID } from '../internal/crypto.js';
import { keyInternals, type PrivateKey } from '../keys/key.js';
import { accessTokenHash } from './access-token-hash.js';
import { normalizeHtu } from './normalize-htu.js';
import { bareJwk } from './public-jwk.js';
import type { DpopProofClaims } from './verify-proof.js';

/**
 * Input of {@link createDpopProof}.
 *
 * @example
 * ```ts
 * createDpopProof(key, { method: 'GET', url: 'https://rooms.example/rooms/12', accessToken });
 * ```
 */
export interface CreateDpopProofInput {
  /** HTTP method of the request (`htm`). */
  method: string;
  /** Target URI of the request; `htu` is its {@link normalizeHtu} form (query and fragment dropped). */
  url: string | URL;
  /** The access token sent with the request; adds `ath`. */
  accessToken?: string;
  /** The server's `DPoP-Nonce`, when it asked for one. */
  nonce?: string;
  /** Current time in milliseconds; default Date.now. */
  clock?: () => number;
  /** Proof id; default a random UUID. */
  jti?: string;
}

// The header segment depends only on the key: encoded once per key.
const headers = new WeakMap<PrivateKey, string>();

/**
 * Signs a DPoP proof JWT (RFC 9449 §4.2) with a private key: header `{ typ: 'dpop+jwt', alg, jwk }`
 * (public members only), claims `jti`, `htm`, `htu`, `iat` and, when given, `ath` and `nonce`.
 *
 * @example
 * ```ts
 * const key = await generateKeyPair('ES256');
 * const proof = createDpopProof(key, { method: 'POST', url: 'https://auth.example/oauth/token' });
 * await fetch(url, { method: 'POST', headers: { DPoP: proof }, body });
 * ```
 */
export function createDpopProof(key: PrivateKey, input: CreateDpopProofInput): string {
  const internals = keyInternals(key);
  if (internals?.signSegment === undefined || key.type !== 'private') {
    throw new JoseInvalidOptions('a PrivateKey is required to sign a DPoP proof');
  }
  if (typeof input?.method !== 'string' || input.method === '') {
    throw new JoseInvalidOptions('method must be a non-empty string');
  }
  let htu: string;
  try {
    htu = normalizeHtu(input.url);
  } catch (cause) {
    throw new JoseInvalidOptions('url must be an absolute http(s) URL', { cause });
  }
  const claims: DpopProofClaims = {
    jti: input.jti ?? randomUUID(),
    htm: input.method,
    htu,
    iat: Math.floor((input.clock ?? Date.now)() / 1000),
  };
  if (input.accessToken !== undefined) {
    try {
      claims.ath = accessTokenHash(input.accessToken);
    } catch (cause) {
      throw new JoseInvalidOptions('accessToken must be an ASCII string', { cause });
    }
  }
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  let header = headers.get(key);
  if (header === undefined) {
    header = encode(JSON.stringify({ typ: 'dpop+jwt', alg: key.alg, jwk: bareJwk(key.publicKey) }));
    headers.set(key, header);
  }
  const input64 = `${header}.${encode(JSON.stringify(claims))}`;
  return `${input64}.${internals.signSegment(input64)}`;
}

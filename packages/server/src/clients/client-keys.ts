import { type JWK, JWS_ALGORITHMS, type JWSAlgorithm, KeySet } from '@keycard/jwt';
import type { ClientRecord } from '../storage/index.js';

/**
 * The algorithms a client may sign its `private_key_jwt` assertions with: every asymmetric one
 * @keycard/jwt supports. Never HS* (a client's public key must not double as an HMAC secret) and
 * never `none`.
 *
 * @example
 * ```ts
 * metadata.token_endpoint_auth_signing_alg_values_supported = [...CLIENT_ASSERTION_ALGORITHMS];
 * ```
 */
export const CLIENT_ASSERTION_ALGORITHMS: readonly JWSAlgorithm[] = Object.freeze(
  JWS_ALGORITHMS.filter((alg) => !alg.startsWith('HS')),
);

/** The one algorithm a key without `alg` is bound to, by its kty/crv. */
const IMPLIED_ALG: Record<string, JWSAlgorithm> = {
  'EC:P-256': 'ES256',
  'EC:P-384': 'ES384',
  'EC:P-521': 'ES512',
  'OKP:Ed25519': 'EdDSA',
  // An RSA key fits six algorithms; without `alg` it is bound to RS256 (the JOSE and OpenID Connect
  // default). A client signing with PS256 or another RSA algorithm registers the key with that `alg`.
  RSA: 'RS256',
};

/**
 * The algorithm a client key is bound to: its own `alg`, else the one its kty/crv implies (EC
 * curves and Ed25519 have exactly one; RSA keys without `alg` are RS256). Undefined when neither
 * gives one (an `oct` key, an unknown curve).
 *
 * @example
 * ```ts
 * clientKeyAlgorithm({ kty: 'EC', crv: 'P-256', x: '…', y: '…' }); // 'ES256'
 * clientKeyAlgorithm({ kty: 'RSA', n: '…', e: 'AQAB' }); // 'RS256'
 * ```
 */
export function clientKeyAlgorithm(jwk: Record<string, unknown>): string | undefined {
  if (jwk['alg'] !== undefined) return typeof jwk['alg'] === 'string' ? jwk['alg'] : undefined;
  const kty = jwk['kty'];
  const crv = jwk['crv'];
  return IMPLIED_ALG[typeof crv === 'string' ? `${String(kty)}:${crv}` : String(kty)];
}

// The directory cache hands out the same record object for a while: import its keys once.
const sets = new WeakMap<object, KeySet>();

/**
 * The client's registered public keys, each bound to one algorithm of
 * {@link CLIENT_ASSERTION_ALGORITHMS} ({@link clientKeyAlgorithm}), for verifying its assertions.
 * Keys that cannot be used (symmetric, unsupported, malformed) are left out; the set is empty when
 * the client has no `jwks` or two of its keys share a kid.
 *
 * @example
 * ```ts
 * const keys = clientKeySet(client); // KeySet; keys.get(header.kid)
 * ```
 */
export function clientKeySet(client: Pick<ClientRecord, 'jwks'>): KeySet {
  const jwks = client.jwks;
  if (jwks == null || !Array.isArray(jwks.keys)) return KeySet.fromKeys([]);
  let set = sets.get(jwks);
  if (set === undefined) {
    const keys = jwks.keys.map((jwk) => {
      if (typeof jwk !== 'object' || jwk === null || jwk['alg'] !== undefined) return jwk;
      const alg = clientKeyAlgorithm(jwk);
      return alg === undefined ? jwk : { ...jwk, alg };
    });
    try {
      set = KeySet.from({ keys: keys as JWK[] }, { algorithms: [...CLIENT_ASSERTION_ALGORITHMS] });
    } catch {
      // Two usable keys share a kid (registration refuses that; a hand-edited database may not).
      set = KeySet.fromKeys([]);
    }
    sets.set(jwks, set);
  }
  return set;
}

import type { PublicKey } from '../keys/key.js';
import type { JWK } from '../types.js';

/** RFC 7638 §3.2: the public members of each asymmetric kty, which alone make up a proof's `jwk`. */
export const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
});

/** The bare public JWK of a key (no kid, alg or use): what a DPoP proof header carries. */
export function bareJwk(key: PublicKey): JWK {
  const full = key.toJWK();
  const out: JWK = { kty: full.kty };
  for (const name of PUBLIC_MEMBERS[full.kty] ?? []) out[name] = full[name];
  return out;
}

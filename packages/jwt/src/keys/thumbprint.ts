import { JoseNotSupported, JWKInvalid } from '../errors.js';
import { encode } from '../internal/base64url.js';
import { digest } from '../internal/crypto.js';
import type { JWK } from '../types.js';

// RFC 7638 §3.2: the required public members per kty, in lexicographic order.
const REQUIRED: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty'],
};

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url): the default `kid` of every keycard key.
 * Only the required public members count, so a private JWK and its public half share a thumbprint.
 *
 * @example
 * ```ts
 * calculateThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
 * // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' (RFC 8037 §A.3)
 * ```
 */
export function calculateThumbprint(jwk: JWK): string {
  if (typeof jwk !== 'object' || jwk === null) throw new JWKInvalid('JWK must be an object');
  const members = REQUIRED[jwk.kty];
  if (members === undefined) throw new JoseNotSupported('unsupported kty');
  const parts: string[] = [];
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') throw new JWKInvalid(`JWK member ${name} is missing`);
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return encode(digest('sha256', `{${parts.join(',')}}`));
}

import { encode } from '../internal/base64url.js';
import { digest } from '../internal/crypto.js';

/** True when every character of `text` is ASCII (an access token always is). */
export function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/**
 * The DPoP `ath` claim for an access token (RFC 9449 §4.2): base64url(SHA-256(ASCII(token))).
 * Throws a TypeError for a token that is not an ASCII string.
 *
 * @example
 * ```ts
 * accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU'); // 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo'
 * ```
 */
export function accessTokenHash(accessToken: string): string {
  if (typeof accessToken !== 'string' || !isAscii(accessToken)) {
    throw new TypeError('the access token must be an ASCII string');
  }
  return encode(digest('sha256', accessToken));
}

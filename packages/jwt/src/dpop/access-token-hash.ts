import { encode } from '../internal/base64url.js';
import { digest } from '../internal/crypto.js';

/** True when every character of `text` is ASCII (an access token always is). */
export function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

// A resource server sees the same card on many requests (one proof each): its hash is kept, for the
// last 1,000 tokens of at most 4,096 characters. An `ath` is public (every proof carries it).
const MEMO_ENTRIES = 1000;
const MEMO_MAX_LENGTH = 4096;
const memo = new Map<string, string>();

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
  if (typeof accessToken !== 'string') throw new TypeError('the access token must be an ASCII string');
  const known = memo.get(accessToken);
  if (known !== undefined) return known;
  if (!isAscii(accessToken)) throw new TypeError('the access token must be an ASCII string');
  const hash = encode(digest('sha256', accessToken));
  if (accessToken.length <= MEMO_MAX_LENGTH) {
    if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
    memo.set(accessToken, hash);
  }
  return hash;
}

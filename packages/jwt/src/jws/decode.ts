import { JWSInvalid } from '../errors.js';
import { decodeAscii } from '../internal/base64url.js';
import type { JWSHeader, JWTClaims } from '../types.js';
import { DEFAULT_MAX_TOKEN_SIZE, parseHeader, parsePayload, split } from './parse.js';

/**
 * Options of {@link decodeJWT}.
 *
 * @example
 * ```ts
 * decodeJWT(token, { maxTokenSize: 8192 });
 * ```
 */
export interface DecodeOptions {
  /** Maximum token size in bytes; default 16384. */
  maxTokenSize?: number;
}

/**
 * Decodes a JWT WITHOUT verifying it: strict parsing only (size, three segments, canonical base64url,
 * UTF-8, JSON objects, duplicate members, nesting depth). Never use the result for a security decision.
 *
 * @example
 * ```ts
 * const { header, payload } = decodeJWT(token); // for display and debugging only
 * console.log(header.kid, payload.exp);
 * ```
 */
export function decodeJWT(
  token: string,
  opts: DecodeOptions = {},
): { header: JWSHeader; payload: JWTClaims } {
  const [first, second] = split(token, opts.maxTokenSize ?? DEFAULT_MAX_TOKEN_SIZE);
  const header = parseHeader(token.slice(0, first));
  const payload = parsePayload(token.slice(first + 1, second));
  if (decodeAscii(token.slice(second + 1)) === undefined)
    throw new JWSInvalid('signature is not canonical base64url');
  return { header, payload };
}

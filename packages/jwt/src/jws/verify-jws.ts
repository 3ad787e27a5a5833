import { JoseInvalidOptions, JWSInvalid, JWSSignatureInvalid } from '../errors.js';
import { decodeAscii } from '../internal/base64url.js';
import { keyInternals, type VerificationKey } from '../keys/key.js';
import type { JWSHeader } from '../types.js';
import { checkProtectedHeader } from './header-rules.js';
import { DEFAULT_MAX_TOKEN_SIZE, parseHeader, parseSignature, split } from './parse.js';

/**
 * Options of {@link verifyJWS}.
 *
 * @example
 * ```ts
 * verifyJWS(jws, key, { maxTokenSize: 65536 });
 * ```
 */
export interface VerifyJWSOptions {
  /** Maximum size in bytes; default 16384. */
  maxTokenSize?: number;
}

/**
 * Verifies a JWS compact serialization whose payload is arbitrary bytes (not a JWT): the same strict
 * header rules and signature path as {@link createVerifier}, but no claims. The header `alg` must be
 * the key's algorithm.
 *
 * @example
 * ```ts
 * const { payload } = verifyJWS(jws, publicKey);
 * console.log(payload.toString('utf8'));
 * ```
 */
export function verifyJWS(
  jws: string,
  key: VerificationKey,
  opts: VerifyJWSOptions = {},
): { header: JWSHeader; payload: Buffer } {
  const internals = keyInternals(key);
  if (internals === undefined || (key.type !== 'public' && key.type !== 'secret')) {
    throw new JoseInvalidOptions('a PublicKey or SecretKey is required to verify');
  }
  const [first, second] = split(jws, opts.maxTokenSize ?? DEFAULT_MAX_TOKEN_SIZE);
  const header = parseHeader(jws.slice(0, first));
  checkProtectedHeader(header, new Set([key.alg]));
  const payload = decodeAscii(jws.slice(first + 1, second));
  if (payload === undefined) throw new JWSInvalid('payload is not canonical base64url');
  const signature = parseSignature(jws.slice(second + 1));
  if (!internals.verify(jws.slice(0, second), signature)) throw new JWSSignatureInvalid();
  return { header, payload };
}

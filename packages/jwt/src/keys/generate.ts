import { JoseInvalidOptions, JoseNotSupported } from '../errors.js';
import { algorithmSpec, isAlgorithm, isHmacAlgorithm, MIN_RSA_BITS } from '../internal/algorithms.js';
import { generatePrivateKey, importSecret, randomBytes } from '../internal/crypto.js';
import type { AsymmetricAlgorithm, HmacAlgorithm } from '../types.js';
import { privateKeyFrom, secretKeyFrom } from './from-key-object.js';
import type { PrivateKey, SecretKey } from './key.js';

/**
 * Options of {@link generateKeyPair}.
 *
 * @example
 * ```ts
 * await generateKeyPair('PS256', { modulusLength: 3072, kid: 'ps-1' });
 * ```
 */
export interface GenerateKeyPairOptions {
  /** Key id; default: the RFC 7638 thumbprint. */
  kid?: string;
  /** RSA modulus size in bits (RS and PS only); default 2048, at least 2048. */
  modulusLength?: number;
}

/**
 * Generates a private key (with its `publicKey`) for an asymmetric algorithm.
 *
 * @example
 * ```ts
 * const key = await generateKeyPair('ES256');
 * await writeFile('jwks.json', JSON.stringify({ keys: [key.publicKey.toJWK()] }));
 * ```
 */
export async function generateKeyPair(
  alg: AsymmetricAlgorithm,
  opts: GenerateKeyPairOptions = {},
): Promise<PrivateKey> {
  if (!isAlgorithm(alg) || isHmacAlgorithm(alg))
    throw new JoseNotSupported('generateKeyPair needs an asymmetric algorithm');
  const modulusLength = opts.modulusLength ?? MIN_RSA_BITS;
  if (!Number.isSafeInteger(modulusLength) || modulusLength < MIN_RSA_BITS || modulusLength > 16384) {
    throw new JoseInvalidOptions(`modulusLength must be an integer from ${MIN_RSA_BITS} to 16384`);
  }
  const key = await generatePrivateKey(algorithmSpec(alg), modulusLength);
  return privateKeyFrom(alg, key, opts.kid);
}

/**
 * Options of {@link generateSecret}.
 *
 * @example
 * ```ts
 * generateSecret('HS512', { kid: 'svc' });
 * ```
 */
export interface GenerateSecretOptions {
  /** Key id; default: the RFC 7638 thumbprint. */
  kid?: string;
}

/**
 * Generates a random HMAC secret as long as the hash output (32/48/64 bytes).
 *
 * @example
 * ```ts
 * const secret = generateSecret('HS256');
 * const token = signJWT({ sub: 'svc', exp: now + 60 }, secret);
 * ```
 */
export function generateSecret(alg: HmacAlgorithm, opts: GenerateSecretOptions = {}): SecretKey {
  if (!isAlgorithm(alg) || !isHmacAlgorithm(alg))
    throw new JoseNotSupported('generateSecret needs HS256, HS384 or HS512');
  return secretKeyFrom(alg, importSecret(randomBytes(algorithmSpec(alg).hashLength)), opts.kid);
}

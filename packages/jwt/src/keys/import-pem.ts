import { JoseNotSupported, JWKInvalid } from '../errors.js';
import { isAlgorithm, isHmacAlgorithm } from '../internal/algorithms.js';
import { importPEM as importPEMObject, type KeyObject } from '../internal/crypto.js';
import type { AsymmetricAlgorithm } from '../types.js';
import { privateKeyFrom, publicKeyFrom } from './from-key-object.js';
import type { PrivateKey, PublicKey } from './key.js';

/**
 * Options of {@link importPEM}.
 *
 * @example
 * ```ts
 * importPEM(pem, 'RS256', { kid: 'legacy' });
 * ```
 */
export interface ImportPEMOptions {
  /** Key id; default: the RFC 7638 thumbprint of the public key. */
  kid?: string;
}

/**
 * Imports an SPKI public key, a PKCS#8 private key, or the public key of an X.509 certificate (PEM),
 * bound to `alg`. The key must fit the algorithm (curve, Ed25519, RSA >= 2048 bits).
 *
 * @example
 * ```ts
 * const key = importPEM(await readFile('issuer.pub.pem', 'utf8'), 'RS256');
 * const verifier = createVerifier({ keys: [key as PublicKey] });
 * ```
 */
export function importPEM(
  pem: string,
  alg: AsymmetricAlgorithm,
  opts: ImportPEMOptions = {},
): PublicKey | PrivateKey {
  if (!isAlgorithm(alg) || isHmacAlgorithm(alg))
    throw new JoseNotSupported('importPEM needs an asymmetric algorithm');
  if (typeof pem !== 'string') throw new JWKInvalid('PEM must be a string');
  let key: KeyObject;
  try {
    key = importPEMObject(pem);
  } catch (cause) {
    throw new JWKInvalid('PEM could not be imported', { cause });
  }
  return key.type === 'private' ? privateKeyFrom(alg, key, opts.kid) : publicKeyFrom(alg, key, opts.kid);
}

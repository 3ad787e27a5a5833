import { JoseNotSupported, JWKInvalid } from '../errors.js';
import { algorithmSpec, MIN_RSA_BITS } from '../internal/algorithms.js';
import { exportJWK, type KeyObject, publicOf } from '../internal/crypto.js';
import type { AsymmetricAlgorithm, HmacAlgorithm, JWK } from '../types.js';
import { makeKey, type PrivateKey, type PublicKey, type SecretKey } from './key.js';
import { calculateThumbprint } from './thumbprint.js';

/** Throws unless an asymmetric KeyObject fits `alg` (key type, curve, RSA size >= 2048). */
export function checkAsymmetric(alg: AsymmetricAlgorithm, key: KeyObject): void {
  const spec = algorithmSpec(alg);
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  switch (spec.family) {
    case 'eddsa':
      if (type !== 'ed25519') throw new JWKInvalid('key does not fit EdDSA (Ed25519 required)');
      return;
    case 'ecdsa':
      if (type !== 'ec' || details?.namedCurve !== spec.namedCurve) {
        throw new JWKInvalid(`key does not fit ${alg} (curve ${spec.crv} required)`);
      }
      return;
    case 'rsa':
    case 'pss':
      if (type !== 'rsa') throw new JWKInvalid(`key does not fit ${alg} (RSA required)`);
      if ((details?.modulusLength ?? 0) < MIN_RSA_BITS) {
        throw new JWKInvalid(`RSA keys must have at least ${MIN_RSA_BITS} bits`);
      }
      return;
    default:
      throw new JoseNotSupported('not an asymmetric algorithm');
  }
}

/** A PublicKey from a checked public KeyObject; kid defaults to the RFC 7638 thumbprint. */
export function publicKeyFrom(alg: AsymmetricAlgorithm, key: KeyObject, kid?: string): PublicKey {
  checkAsymmetric(alg, key);
  return makeKey.public(alg, key, kid ?? calculateThumbprint(exportJWK(key) as unknown as JWK));
}

/** A PrivateKey (and its PublicKey) from a checked private KeyObject. */
export function privateKeyFrom(
  alg: AsymmetricAlgorithm,
  key: KeyObject,
  kid?: string,
  publicObject: KeyObject = publicOf(key),
): PrivateKey {
  checkAsymmetric(alg, key);
  return makeKey.private(alg, key, publicKeyFrom(alg, publicObject, kid));
}

/** A SecretKey from secret bytes, which must be at least as long as the hash output (RFC 7518 §3.2). */
export function secretKeyFrom(alg: HmacAlgorithm, key: KeyObject, kid?: string): SecretKey {
  const min = algorithmSpec(alg).hashLength;
  if ((key.symmetricKeySize ?? 0) < min) throw new JWKInvalid(`${alg} secrets must be at least ${min} bytes`);
  return makeKey.secret(alg, key, kid ?? calculateThumbprint(exportJWK(key) as unknown as JWK));
}

import {
  type AsymmetricAlgorithm,
  calculateThumbprint,
  generateKeyPair,
  importJWK,
  type PrivateKey,
} from '@keycard/jwt';
import type { Sealer } from '../crypto/index.js';
import type { KeyState, SigningKeyRecord } from '../storage/index.js';

/** AAD binding a sealed private key to its kid (a swapped ciphertext fails to open). */
export const keySealContext = (kid: string) => `keycard:signing-key:${kid}`;

/**
 * Generates a key pair whose kid is its RFC 7638 thumbprint and returns the storage record,
 * private key sealed under the master key.
 *
 * @example
 * ```ts
 * await storage.keys.create(await generateSigningKey('ES256', sealer, 'next', Date.now()));
 * ```
 */
export async function generateSigningKey(
  alg: AsymmetricAlgorithm,
  sealer: Sealer,
  state: KeyState,
  now: number,
): Promise<SigningKeyRecord> {
  const generated = await generateKeyPair(alg);
  const kid = calculateThumbprint(generated.publicKey.toJWK());
  const key = importJWK({ ...generated.toJWK(), kid }, { alg, type: 'private' });
  return {
    kid,
    alg,
    state,
    publicJwk: { ...key.publicKey.toJWK(), kid, alg, use: 'sig' },
    privateSealed: sealer.seal(JSON.stringify(key.toJWK()), keySealContext(kid)),
    createdAt: now,
    activatedAt: state === 'current' ? now : null,
    retiredAt: null,
    removeAfter: null,
  };
}

/** Opens a stored key record back into a private key. */
export function openSigningKey(record: SigningKeyRecord, sealer: Sealer): PrivateKey {
  const jwk = JSON.parse(sealer.open(record.privateSealed, keySealContext(record.kid)));
  return importJWK({ ...jwk, kid: record.kid }, { alg: record.alg as AsymmetricAlgorithm, type: 'private' });
}

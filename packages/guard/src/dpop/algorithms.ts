import type { AsymmetricAlgorithm } from '@keycard/jwt';

/**
 * Every asymmetric algorithm @keycard/jwt verifies: the default allow-list for cards (HS* never: a
 * guard holds public keys only) and for DPoP proofs.
 */
export const DEFAULT_DPOP_ALGORITHMS: readonly AsymmetricAlgorithm[] = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
]);

import type { AsymmetricAlgorithm } from '@keycard/jwt';

/** Proof algorithms the guard accepts by default: every asymmetric one @keycard/jwt verifies. */
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

import type { JWSAlgorithm } from '@keycard/jwt';
import { UsageError } from '../framework/command.js';

export const ALGORITHMS: readonly JWSAlgorithm[] = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'HS256',
  'HS384',
  'HS512',
];

/** An exact algorithm name (case-sensitive, as in JOSE), or a UsageError listing the choices. */
export function parseAlgorithm(text: string): JWSAlgorithm {
  if (!(ALGORITHMS as readonly string[]).includes(text)) {
    throw new UsageError(`unknown algorithm '${text}' (one of ${ALGORITHMS.join(', ')})`);
  }
  return text as JWSAlgorithm;
}

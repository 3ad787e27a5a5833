import { JWS_ALGORITHMS, type JWSAlgorithm } from '@keycard/jwt';
import { UsageError } from '../framework/command.js';

/** Every algorithm @keycard/jwt supports. */
export const ALGORITHMS: readonly JWSAlgorithm[] = JWS_ALGORITHMS;

/** An exact algorithm name (case-sensitive, as in JOSE), or a UsageError listing the choices. */
export function parseAlgorithm(text: string): JWSAlgorithm {
  if (!(ALGORITHMS as readonly string[]).includes(text)) {
    throw new UsageError(`unknown algorithm '${text}' (one of ${ALGORITHMS.join(', ')})`);
  }
  return text as JWSAlgorithm;
}

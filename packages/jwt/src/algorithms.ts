import { ALGORITHMS } from './internal/algorithms.js';
import type { JWSAlgorithm } from './types.js';

/**
 * Every JWS algorithm @keycard/jwt supports, in a stable order (frozen).
 *
 * @example
 * ```ts
 * JWS_ALGORITHMS.includes('ES256'); // true
 * ```
 */
export const JWS_ALGORITHMS: readonly JWSAlgorithm[] = ALGORITHMS;

import type { AsymmetricAlgorithm } from '@keycard/jwt';
import { DEFAULT_DPOP_ALGORITHMS } from '../dpop/algorithms.js';
import { optionError } from '../errors.js';
import type { DpopOptions } from '../types.js';

export interface ResolvedDpopOptions {
  readonly algorithms: readonly AsymmetricAlgorithm[];
  /** Undefined when the caller kept the default list (lets the verifier skip building a set). */
  readonly customAlgorithms: readonly AsymmetricAlgorithm[] | undefined;
  readonly maxAgeSeconds: number;
  readonly leewaySeconds: number;
  readonly replayCacheSize: number;
  readonly nonce: { readonly secret: string | undefined; readonly windowSeconds: number } | undefined;
}

function seconds(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw optionError(name, `must be a number between ${min} and ${max}`);
  }
  return value;
}

/** Validates the `dpop` option (ERR_GUARD_OPTIONS_INVALID names the member at fault). */
export function resolveDpopOptions(
  option: DpopOptions | false | undefined,
  leewaySeconds: number,
): ResolvedDpopOptions | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (option === null || typeof option !== 'object'))
    throw optionError('dpop', 'must be an object or false');
  const o = option ?? {};
  let customAlgorithms: AsymmetricAlgorithm[] | undefined;
  if (o.algorithms !== undefined) {
    if (!Array.isArray(o.algorithms) || o.algorithms.length === 0)
      throw optionError('dpop.algorithms', 'must be a non-empty array');
    for (const alg of o.algorithms) {
      if (!DEFAULT_DPOP_ALGORITHMS.includes(alg))
        throw optionError(
          'dpop.algorithms',
          `contains "${String(alg)}", which is not an asymmetric JWS algorithm`,
        );
    }
    customAlgorithms = [...o.algorithms];
  }
  let nonce: ResolvedDpopOptions['nonce'];
  if (o.nonce !== undefined && o.nonce !== false) {
    const n = o.nonce === true ? {} : o.nonce;
    if (n === null || typeof n !== 'object')
      throw optionError('dpop.nonce', 'must be a boolean or an object');
    if (n.secret !== undefined && (typeof n.secret !== 'string' || n.secret.length < 32))
      throw optionError('dpop.nonce.secret', 'must be a string of at least 32 characters');
    nonce = Object.freeze({
      secret: n.secret,
      windowSeconds: seconds('dpop.nonce.windowSeconds', n.windowSeconds, 60, 5, 3600),
    });
  }
  return Object.freeze({
    algorithms: Object.freeze(customAlgorithms ?? [...DEFAULT_DPOP_ALGORITHMS]),
    customAlgorithms: customAlgorithms === undefined ? undefined : Object.freeze(customAlgorithms),
    maxAgeSeconds: seconds('dpop.maxAgeSeconds', o.maxAgeSeconds, 300, 1, 3600),
    leewaySeconds: seconds('dpop.leewaySeconds', o.leewaySeconds, leewaySeconds, 0, 300),
    replayCacheSize: Math.floor(seconds('dpop.replayCacheSize', o.replayCacheSize, 100_000, 1, 10_000_000)),
    nonce,
  });
}

import { isJoseError, JWKSInvalid } from '../errors.js';
import { ALGORITHMS, algorithmSpec, isAlgorithm } from '../internal/algorithms.js';
import type { JWK, JWKS, JWSAlgorithm } from '../types.js';
import { importJWK } from './import-jwk.js';
import { keyInternals, type VerificationKey } from './key.js';

/**
 * Options of {@link KeySet.from}.
 *
 * @example
 * ```ts
 * KeySet.from(jwks, { algorithms: ['ES256'] });
 * ```
 */
export interface KeySetOptions {
  /** Only keys for these algorithms are kept; default: every supported algorithm. */
  algorithms?: JWSAlgorithm[];
}

/**
 * A key of a JWK Set that {@link KeySet.from} did not keep, and why. Safe to show: the reason never
 * contains key material.
 *
 * @example
 * ```ts
 * for (const { kid, index, reason } of set.skipped) console.warn(`key ${kid ?? `#${index}`} skipped: ${reason}`);
 * ```
 */
export interface SkippedKey {
  /** Position in the `keys` array. */
  index: number;
  /** The key's `kid`, when it has a string one. */
  kid?: string;
  /** Why it was skipped, e.g. `alg RS256 is not allowed` or `JWK member x has the wrong length`. */
  reason: string;
}

/**
 * One line naming every skipped key and why, for "no usable key" messages.
 *
 * @example
 * ```ts
 * describeSkippedKeys(set.skipped); // 'key "k1" skipped: alg HS256 is not allowed; key #2 skipped: use is "enc"'
 * ```
 */
export function describeSkippedKeys(skipped: readonly SkippedKey[]): string {
  return skipped
    .map(
      ({ index, kid, reason }) =>
        `key ${kid === undefined ? `#${index}` : JSON.stringify(kid)} skipped: ${reason}`,
    )
    .join('; ');
}

/**
 * A set of verification keys with lookup by `kid`. Built once (e.g. from a fetched JWKS) and then
 * only read.
 *
 * @example
 * ```ts
 * const set = KeySet.from(await (await fetch(jwksUri)).json(), { algorithms: ['ES256'] });
 * set.get('kid-1')?.alg; // 'ES256'
 * ```
 */
export class KeySet {
  readonly keys: readonly VerificationKey[];
  /** Keys of the source JWK Set that were not kept, with the reason (empty for {@link KeySet.fromKeys}). */
  readonly skipped: readonly SkippedKey[];
  readonly #byKid: ReadonlyMap<string, VerificationKey>;

  private constructor(keys: VerificationKey[], skipped: SkippedKey[] = []) {
    const byKid = new Map<string, VerificationKey>();
    for (const key of keys) {
      if (byKid.has(key.kid)) throw new JWKSInvalid('two keys share a kid');
      byKid.set(key.kid, key);
    }
    this.keys = Object.freeze(keys);
    this.skipped = Object.freeze(skipped.map((entry) => Object.freeze(entry)));
    this.#byKid = byKid;
    Object.freeze(this);
  }

  /**
   * Parses a JWK Set. Skips (does not throw on) keys that cannot be used: `use` other than `sig`,
   * unsupported kty/crv, an alg outside `opts.algorithms`, private or malformed members. A key without
   * `alg` is bound to the single allowed algorithm its kty/crv fits and skipped when that is ambiguous
   * (RSA without alg while several RSA algorithms are allowed). Private members are dropped: only the
   * public half is kept (`oct` secrets are kept, for HMAC setups). Each skipped key is listed in
   * `skipped` with its kid and the reason. Throws ERR_JWKS_INVALID when the value is not
   * `{ keys: [...] }` or two usable keys share a kid.
   *
   * @example
   * ```ts
   * const set = KeySet.from({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: '...', alg: 'EdDSA' }] });
   * ```
   */
  static from(jwks: unknown, opts: KeySetOptions = {}): KeySet {
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
      throw new JWKSInvalid('a JWK Set must be an object with a "keys" array');
    }
    const allowed = opts.algorithms ?? ALGORITHMS;
    const keys: VerificationKey[] = [];
    const skipped: SkippedKey[] = [];
    (jwks as JWKS).keys.forEach((jwk, index) => {
      const result = tryImport(jwk, allowed);
      if (typeof result !== 'string') {
        keys.push(result);
        return;
      }
      const kid = (jwk as { kid?: unknown } | null)?.kid;
      skipped.push({ index, ...(typeof kid === 'string' ? { kid } : {}), reason: result });
    });
    return new KeySet(keys, skipped);
  }

  /**
   * A set of keys you already hold. Throws ERR_JWKS_INVALID for a duplicate kid or a value that is not
   * a PublicKey or SecretKey (pass `privateKey.publicKey`, not the private key).
   *
   * @example
   * ```ts
   * const set = KeySet.fromKeys([current.publicKey, next.publicKey]);
   * ```
   */
  static fromKeys(keys: readonly VerificationKey[]): KeySet {
    if (!Array.isArray(keys)) throw new JWKSInvalid('keys must be an array');
    for (const key of keys) {
      if (keyInternals(key) === undefined || (key.type !== 'public' && key.type !== 'secret')) {
        throw new JWKSInvalid('keys must be PublicKey or SecretKey objects');
      }
    }
    return new KeySet([...keys]);
  }

  /**
   * The key with this `kid`, or undefined.
   *
   * @example
   * ```ts
   * const key = set.get(header.kid ?? '');
   * ```
   */
  get(kid: string): VerificationKey | undefined {
    return this.#byKid.get(kid);
  }

  /**
   * The public keys as a JWK Set (secrets are never included).
   *
   * @example
   * ```ts
   * res.json(set.toJSON()); // { keys: [{ kty, crv, x, y, kid, alg, use: 'sig' }] }
   * ```
   */
  toJSON(): JWKS {
    return { keys: this.keys.filter((key) => key.type === 'public').map((key) => key.toJWK()) };
  }
}

/** The imported key, or why it cannot be used. */
function tryImport(jwk: unknown, allowed: readonly JWSAlgorithm[]): VerificationKey | string {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'not a JSON object';
  const candidate = jwk as JWK;
  if (candidate.use !== undefined && candidate.use !== 'sig')
    return `use is ${JSON.stringify(candidate.use)}, not "sig"`;
  let alg: JWSAlgorithm;
  if (candidate.alg !== undefined) {
    if (!isAlgorithm(candidate.alg)) return `alg ${JSON.stringify(candidate.alg)} is not supported`;
    if (!allowed.includes(candidate.alg))
      return `alg ${candidate.alg} is not allowed (allowed: ${allowed.join(', ')})`;
    alg = candidate.alg;
  } else {
    const fits = allowed.filter((a) => {
      const spec = algorithmSpec(a);
      return spec.kty === candidate.kty && (spec.crv === undefined || spec.crv === candidate.crv);
    });
    const shape = `kty ${JSON.stringify(candidate.kty)}${candidate.crv === undefined ? '' : ` crv ${JSON.stringify(candidate.crv)}`}`;
    if (fits.length === 0)
      return `no alg, and ${shape} fits none of the allowed algorithms (${allowed.join(', ')})`;
    if (fits.length > 1) return `no alg, and ${shape} fits several allowed algorithms (${fits.join(', ')})`;
    alg = fits[0]!;
  }
  try {
    const key = importJWK(candidate, { alg });
    return key.type === 'private' ? key.publicKey : key;
  } catch (err) {
    if (!isJoseError(err)) return 'the key could not be imported';
    // JoseError messages name members and sizes, never values; node:crypto's cause says what OpenSSL refused.
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${cause}`;
  }
}

import { JWKSInvalid } from '../errors.js';
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
  readonly #byKid: ReadonlyMap<string, VerificationKey>;

  private constructor(keys: VerificationKey[]) {
    const byKid = new Map<string, VerificationKey>();
    for (const key of keys) {
      if (byKid.has(key.kid)) throw new JWKSInvalid('two keys share a kid');
      byKid.set(key.kid, key);
    }
    this.keys = Object.freeze(keys);
    this.#byKid = byKid;
    Object.freeze(this);
  }

  /**
   * Parses a JWK Set. Skips (does not throw on) keys that cannot be used: `use` other than `sig`,
   * unsupported kty/crv, an alg outside `opts.algorithms`, private or malformed members. A key without
   * `alg` is bound to the single allowed algorithm its kty/crv fits and skipped when that is ambiguous
   * (RSA without alg while several RSA algorithms are allowed). Private members are dropped: only the
   * public half is kept (`oct` secrets are kept, for HMAC setups). Throws ERR_JWKS_INVALID when the
   * value is not `{ keys: [...] }` or two usable keys share a kid.
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
    for (const jwk of (jwks as JWKS).keys) {
      const key = tryImport(jwk, allowed);
      if (key !== undefined) keys.push(key);
    }
    return new KeySet(keys);
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

function tryImport(jwk: unknown, allowed: readonly JWSAlgorithm[]): VerificationKey | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const candidate = jwk as JWK;
  if (candidate.use !== undefined && candidate.use !== 'sig') return undefined;
  let alg: JWSAlgorithm;
  if (candidate.alg !== undefined) {
    if (!isAlgorithm(candidate.alg) || !allowed.includes(candidate.alg)) return undefined;
    alg = candidate.alg;
  } else {
    const fits = allowed.filter((a) => {
      const spec = algorithmSpec(a);
      return spec.kty === candidate.kty && (spec.crv === undefined || spec.crv === candidate.crv);
    });
    if (fits.length !== 1) return undefined;
    alg = fits[0]!;
  }
  try {
    const key = importJWK(candidate, { alg });
    return key.type === 'private' ? key.publicKey : key;
  } catch {
    return undefined;
  }
}

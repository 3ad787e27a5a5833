/**
 * Key classes. Each key is bound to exactly one algorithm when it is created, and the three kinds are
 * distinct classes: a PublicKey can never act as an HMAC secret, whatever a token header says.
 */
import { type AlgorithmSpec, algorithmSpec } from '../internal/algorithms.js';
import {
  type CompactVerifyFn,
  exportJWK,
  type KeyObject,
  prepareCompactVerify,
  prepareSign,
  prepareSignSegment,
  prepareVerify,
  type SignFn,
  type SignSegmentFn,
  type VerifyFn,
} from '../internal/crypto.js';
import type { AsymmetricAlgorithm, HmacAlgorithm, JWK } from '../types.js';

/** Internal per-key state, prepared once. Not exported from the package. */
export interface KeyInternals {
  readonly spec: AlgorithmSpec;
  readonly keyObject: KeyObject;
  readonly verify: VerifyFn;
  /** {@link verify} straight from a compact token (what createVerifier uses). */
  readonly verifyCompact: CompactVerifyFn;
  readonly sign: SignFn | undefined;
  readonly signSegment: SignSegmentFn | undefined;
}

/** Symbol under which a key keeps its prepared state (module-private: index.ts does not export it). */
export const INTERNALS: unique symbol = Symbol('@keycard/jwt key internals');
const CONSTRUCT = Symbol('@keycard/jwt construct');

function internals(
  alg: AsymmetricAlgorithm | HmacAlgorithm,
  keyObject: KeyObject,
  canSign: boolean,
): KeyInternals {
  const spec = algorithmSpec(alg);
  const verify = prepareVerify(spec, keyObject);
  return {
    spec,
    keyObject,
    verify,
    verifyCompact: prepareCompactVerify(spec, keyObject, verify),
    sign: canSign ? prepareSign(spec, keyObject) : undefined,
    signSegment: canSign ? prepareSignSegment(spec, keyObject) : undefined,
  };
}

/** The key's JWK (what `exportJWK` gives for its KeyObject) with `kid`, `alg` and `use: 'sig'`. */
function jwkOf(key: { readonly kid: string; readonly alg: string; readonly [INTERNALS]: KeyInternals }): JWK {
  return {
    ...(exportJWK(key[INTERNALS].keyObject) as unknown as JWK),
    kid: key.kid,
    alg: key.alg,
    use: 'sig',
  };
}

function guard(token: symbol): void {
  if (token !== CONSTRUCT) throw new TypeError('Use importJWK, importPEM, generateKeyPair or generateSecret');
}

/**
 * A public key bound to one asymmetric algorithm. Verifies signatures, never signs.
 *
 * @example
 * ```ts
 * const key = importJWK({ kty: 'EC', crv: 'P-256', x: '...', y: '...', alg: 'ES256' }, { type: 'public' });
 * key.alg; // 'ES256'
 * key.toJWK(); // { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' }
 * ```
 */
export class PublicKey {
  readonly type = 'public' as const;
  readonly alg: AsymmetricAlgorithm;
  readonly kid: string;
  /** @internal */
  readonly [INTERNALS]: KeyInternals;

  /** Not for callers: use importJWK, importPEM or generateKeyPair (any other caller is refused). */
  constructor(token: symbol, alg: AsymmetricAlgorithm, keyObject: KeyObject, kid: string) {
    guard(token);
    this.alg = alg;
    this.kid = kid;
    this[INTERNALS] = internals(alg, keyObject, false);
    Object.freeze(this);
  }

  /** The public JWK with `kid`, `alg` and `use: 'sig'`. */
  toJWK(): JWK {
    return jwkOf(this);
  }
}

/**
 * A private key bound to one asymmetric algorithm. Signs; its `publicKey` verifies.
 *
 * @example
 * ```ts
 * const key = await generateKeyPair('ES256');
 * const token = signJWT({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 }, key);
 * createVerifier({ keys: [key.publicKey] }).verify(token);
 * ```
 */
export class PrivateKey {
  readonly type = 'private' as const;
  readonly alg: AsymmetricAlgorithm;
  readonly kid: string;
  readonly publicKey: PublicKey;
  /** @internal */
  readonly [INTERNALS]: KeyInternals;

  /** Not for callers: use importJWK, importPEM or generateKeyPair (any other caller is refused). */
  constructor(token: symbol, alg: AsymmetricAlgorithm, keyObject: KeyObject, publicKey: PublicKey) {
    guard(token);
    this.alg = alg;
    this.kid = publicKey.kid;
    this.publicKey = publicKey;
    this[INTERNALS] = internals(alg, keyObject, true);
    Object.freeze(this);
  }

  /** The private JWK (private members included) with `kid`, `alg` and `use: 'sig'`. Handle with care. */
  toJWK(): JWK {
    return jwkOf(this);
  }
}

/**
 * An HMAC secret bound to one of HS256/HS384/HS512, at least as long as the hash output.
 *
 * @example
 * ```ts
 * const secret = generateSecret('HS256');
 * const token = signJWT({ sub: 'svc', exp: Math.floor(Date.now() / 1000) + 60 }, secret);
 * createVerifier({ keys: [secret] }).verify(token);
 * ```
 */
export class SecretKey {
  readonly type = 'secret' as const;
  readonly alg: HmacAlgorithm;
  readonly kid: string;
  /** @internal */
  readonly [INTERNALS]: KeyInternals;

  /** Not for callers: use importJWK or generateSecret (any other caller is refused). */
  constructor(token: symbol, alg: HmacAlgorithm, keyObject: KeyObject, kid: string) {
    guard(token);
    this.alg = alg;
    this.kid = kid;
    this[INTERNALS] = internals(alg, keyObject, true);
    Object.freeze(this);
  }

  /** The `oct` JWK (the secret in `k`) with `kid`, `alg` and `use: 'sig'`. Handle with care. */
  toJWK(): JWK {
    return jwkOf(this);
  }
}

/**
 * A key that verifies signatures.
 *
 * @example
 * ```ts
 * const keys: VerificationKey[] = [current.publicKey, next.publicKey];
 * ```
 */
export type VerificationKey = PublicKey | SecretKey;
/**
 * A key that signs.
 *
 * @example
 * ```ts
 * const signer: SigningKey = await generateKeyPair('ES256');
 * ```
 */
export type SigningKey = PrivateKey | SecretKey;

/** @internal Factories for the import/generate modules. */
export const makeKey = {
  public(alg: AsymmetricAlgorithm, keyObject: KeyObject, kid: string): PublicKey {
    return new PublicKey(CONSTRUCT, alg, keyObject, kid);
  },
  private(alg: AsymmetricAlgorithm, keyObject: KeyObject, publicKey: PublicKey): PrivateKey {
    return new PrivateKey(CONSTRUCT, alg, keyObject, publicKey);
  },
  secret(alg: HmacAlgorithm, keyObject: KeyObject, kid: string): SecretKey {
    return new SecretKey(CONSTRUCT, alg, keyObject, kid);
  },
};

/** @internal The prepared state of a key created by this package, or undefined for anything else. */
export function keyInternals(key: unknown): KeyInternals | undefined {
  if (typeof key !== 'object' || key === null) return undefined;
  return (key as { [INTERNALS]?: KeyInternals })[INTERNALS];
}

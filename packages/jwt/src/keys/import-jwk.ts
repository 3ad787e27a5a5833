import type { JsonWebKey } from 'node:crypto';
import { JoseInvalidOptions, JoseNotSupported, JWKInvalid } from '../errors.js';
import { algorithmSpec, isAlgorithm, isHmacAlgorithm } from '../internal/algorithms.js';
import { decode, encode } from '../internal/base64url.js';
import { importPrivateJWK, importPublicJWK, importSecret, type KeyObject } from '../internal/crypto.js';
import type { AsymmetricAlgorithm, HmacAlgorithm, JWK, JWSAlgorithm } from '../types.js';
import { privateKeyFrom, publicKeyFrom, secretKeyFrom } from './from-key-object.js';
import { INTERNALS, type PrivateKey, type PublicKey, type SecretKey } from './key.js';

/**
 * Options of {@link importJWK}.
 *
 * @example
 * ```ts
 * importJWK(jwkWithoutAlg, { alg: 'ES256' });
 * const publicKey: PublicKey = importJWK(jwk, { type: 'public' });
 * ```
 */
export interface ImportJWKOptions {
  /** The algorithm to bind the key to. If the JWK has `alg` too, both must agree. */
  alg?: JWSAlgorithm;
  /**
   * The kind of key expected: the JWK must be one (ERR_JWK_INVALID otherwise, e.g. a private JWK where
   * a public key was meant), and the result is typed as that class, no cast needed.
   */
  type?: 'public' | 'private' | 'secret';
}

/** The key class `importJWK` gives for each `type`. */
export interface ImportedKeyTypes {
  public: PublicKey;
  private: PrivateKey;
  secret: SecretKey;
}

const EC_SIZE: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const RSA_PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/**
 * Imports a JWK as a key bound to one algorithm: `opts.alg` or `jwk.alg` (both present: they must agree;
 * neither: ERR_JWK_INVALID). A JWK with `d` gives a PrivateKey, `kty: 'oct'` a SecretKey, anything
 * else a PublicKey. `kid` is the JWK's own, else its RFC 7638 thumbprint. Members must be canonical
 * base64url and of the exact size (Ed25519; EC members shorter than the curve size, as some libraries
 * export them without leading zero bytes, are left-padded, longer ones refused); RSA keys need >= 2048
 * bits, HMAC secrets at least the hash length. `use` other than `sig` is refused.
 *
 * @example
 * ```ts
 * const key = importJWK(JSON.parse(await readFile('key.jwk.json', 'utf8')));
 * if (key.type === 'private') signJWT({ sub: 'alice', exp: now + 600 }, key);
 * ```
 */
export function importJWK<T extends keyof ImportedKeyTypes>(
  jwk: JWK,
  opts: ImportJWKOptions & { type: T },
): ImportedKeyTypes[T];
export function importJWK(jwk: JWK, opts?: ImportJWKOptions): PublicKey | PrivateKey | SecretKey;
export function importJWK(jwk: JWK, opts: ImportJWKOptions = {}): PublicKey | PrivateKey | SecretKey {
  const type = opts?.type;
  if (type !== undefined && type !== 'public' && type !== 'private' && type !== 'secret')
    throw new JoseInvalidOptions('type must be public, private or secret');
  const key = importAnyJWK(jwk, opts);
  if (type !== undefined && key.type !== type)
    throw new JWKInvalid(`JWK is a ${key.type} key, not the ${type} key expected`);
  return key;
}

function importAnyJWK(jwk: JWK, opts: ImportJWKOptions): PublicKey | PrivateKey | SecretKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw new JWKInvalid('JWK must be an object');
  if (typeof jwk.kty !== 'string') throw new JWKInvalid('JWK kty must be a string');
  const alg = pickAlg(jwk, opts.alg);
  const spec = algorithmSpec(alg);
  if (jwk.kty !== spec.kty) throw new JWKInvalid(`JWK kty ${jwk.kty} does not fit ${alg}`);
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new JWKInvalid('JWK use must be "sig"');
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid === '')) {
    throw new JWKInvalid('JWK kid must be a non-empty string');
  }
  if (jwk.key_ops !== undefined) checkKeyOps(jwk.key_ops);
  const kid = jwk.kid;

  if (isHmacAlgorithm(alg)) {
    const secret = member(jwk, 'k', 0);
    return secretKeyFrom(alg as HmacAlgorithm, importSecret(secret), kid);
  }
  const asym = alg as AsymmetricAlgorithm;
  const isPrivate = jwk.d !== undefined;
  const padded: Record<string, string> = {};
  if (spec.kty === 'EC' || spec.kty === 'OKP') {
    if (jwk.crv !== spec.crv) {
      if (spec.kty === 'OKP' && jwk.crv !== undefined && jwk.crv !== 'Ed25519') {
        throw new JoseNotSupported('only the Ed25519 curve is supported for OKP keys');
      }
      throw new JWKInvalid(`JWK crv does not fit ${alg}`);
    }
    if (spec.kty === 'EC') {
      // Some libraries (PyJWT 2.6, for one) drop leading zero bytes of EC members. A shorter member is
      // unambiguous, so it is left-padded to the curve size (node:crypto still checks the point is on
      // the curve); a longer one is refused.
      const size = EC_SIZE[spec.crv!]!;
      for (const name of isPrivate ? ['x', 'y', 'd'] : ['x', 'y']) {
        const bytes = member(jwk, name, 0);
        if (bytes.length > size) throw new JWKInvalid(`JWK member ${name} is longer than the curve size`);
        if (bytes.length < size)
          padded[name] = encode(Buffer.concat([Buffer.alloc(size - bytes.length), bytes]));
      }
    } else {
      member(jwk, 'x', 32);
      if (isPrivate) member(jwk, 'd', 32);
    }
  } else {
    member(jwk, 'n', 0);
    member(jwk, 'e', 0);
    if (isPrivate) for (const name of RSA_PRIVATE) member(jwk, name, 0);
  }

  let keyObject: KeyObject;
  let publicObject: KeyObject;
  try {
    const members = { ...jwk, ...padded };
    publicObject = importPublicJWK(toNodeJWK(members, false));
    keyObject = isPrivate ? importPrivateJWK(toNodeJWK(members, true)) : publicObject;
  } catch (cause) {
    throw new JWKInvalid('JWK could not be imported', { cause });
  }
  if (!isPrivate) return publicKeyFrom(asym, keyObject, kid);
  const key = privateKeyFrom(asym, keyObject, kid, publicObject);
  // The public members must belong to the private key, or the published JWK would not verify our tokens.
  const probe = 'keycard key consistency check';
  if (!key.publicKey[INTERNALS].verify(probe, key[INTERNALS].sign!(probe))) {
    throw new JWKInvalid('JWK public members do not match its private key');
  }
  return key;
}

function pickAlg(jwk: JWK, optAlg: JWSAlgorithm | undefined): JWSAlgorithm {
  const jwkAlg = jwk.alg;
  if (optAlg !== undefined && jwkAlg !== undefined && optAlg !== jwkAlg) {
    throw new JWKInvalid('JWK alg does not match the requested algorithm');
  }
  const alg = optAlg ?? jwkAlg;
  if (alg === undefined) throw new JWKInvalid('JWK has no alg and none was given');
  if (!isAlgorithm(alg)) throw new JoseNotSupported('unsupported JWK alg');
  return alg;
}

function checkKeyOps(ops: unknown): void {
  if (!Array.isArray(ops) || !ops.every((op) => typeof op === 'string')) {
    throw new JWKInvalid('JWK key_ops must be an array of strings');
  }
  if (!ops.includes('sign') && !ops.includes('verify'))
    throw new JWKInvalid('JWK key_ops allow neither sign nor verify');
}

/** A canonical base64url member, decoded; `size` > 0 demands that exact byte length. */
function member(jwk: JWK, name: string, size: number): Buffer {
  const value = jwk[name];
  const bytes = typeof value === 'string' && value !== '' ? decode(value) : undefined;
  if (bytes === undefined) throw new JWKInvalid(`JWK member ${name} must be non-empty canonical base64url`);
  if (size > 0 && bytes.length !== size) throw new JWKInvalid(`JWK member ${name} has the wrong length`);
  return bytes;
}

/** Only the key members node:crypto needs (it must not see alg/use/kid/key_ops). */
function toNodeJWK(jwk: JWK, isPrivate: boolean): JsonWebKey {
  const out: JsonWebKey = { kty: jwk.kty };
  const names =
    jwk.kty === 'RSA'
      ? ['n', 'e', ...(isPrivate ? RSA_PRIVATE : [])]
      : ['crv', 'x', 'y', ...(isPrivate ? ['d'] : [])];
  for (const name of names) if (jwk[name] !== undefined) out[name] = jwk[name];
  return out;
}

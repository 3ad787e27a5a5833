import { JoseInvalidOptions, JWTInvalid } from '../errors.js';
import { encode } from '../internal/base64url.js';
import { keyInternals, type SigningKey } from '../keys/key.js';
import type { JWTClaims } from '../types.js';

/**
 * Options of {@link signJWT} and {@link createSigner}.
 *
 * @example
 * ```ts
 * createSigner(key, { typ: 'at+jwt', kid: false });
 * ```
 */
export interface SignOptions {
  /** Header `typ`; default 'JWT' (use 'at+jwt' for RFC 9068 access tokens). */
  typ?: string;
  /** Header `kid`; default the key's kid; `false` leaves it out. */
  kid?: string | false;
}

/**
 * Options of {@link signJWT}.
 *
 * @example
 * ```ts
 * signJWT(claims, key, { typ: 'at+jwt', header: { cty: 'json' } });
 * ```
 */
export interface SignJWTOptions extends SignOptions {
  /** Extra header members (not alg/typ/kid, nor crit/jku/x5u/jwk/b64, which verifiers refuse). */
  header?: Record<string, unknown>;
}

const RESERVED_HEADER = new Set(['alg', 'typ', 'kid', 'crit', 'jku', 'x5u', 'jwk', 'b64', 'zip']);

function signer(key: SigningKey) {
  const internals = keyInternals(key);
  if (internals?.signSegment === undefined || (key.type !== 'private' && key.type !== 'secret')) {
    throw new JoseInvalidOptions('a PrivateKey or SecretKey is required to sign');
  }
  return internals.signSegment;
}

function headerSegment(key: SigningKey, opts: SignJWTOptions): string {
  const header: Record<string, unknown> = { alg: key.alg, typ: opts.typ ?? 'JWT' };
  const kid = opts.kid === undefined ? key.kid : opts.kid;
  if (kid !== false) header.kid = kid;
  for (const [name, value] of Object.entries(opts.header ?? {})) {
    if (RESERVED_HEADER.has(name)) throw new JoseInvalidOptions(`header member ${name} cannot be set`);
    header[name] = value;
  }
  return encode(JSON.stringify(header));
}

function checkNumericDate(value: unknown, name: 'exp' | 'nbf' | 'iat'): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new JWTInvalid(`claim ${name} must be a finite, non-negative number`, { claim: name });
  }
}

function payloadSegment(claims: JWTClaims): string {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new JWTInvalid('claims must be an object');
  }
  checkNumericDate(claims.exp, 'exp');
  checkNumericDate(claims.nbf, 'nbf');
  checkNumericDate(claims.iat, 'iat');
  return encode(JSON.stringify(claims));
}

/**
 * Signs claims as a JWS compact JWT. Synchronous. Header: `{ alg: key.alg, typ: opts.typ ?? 'JWT',
 * kid: key.kid }` (`kid: false` omits it). The algorithm always comes from the key.
 *
 * @example
 * ```ts
 * const now = Math.floor(Date.now() / 1000);
 * const token = signJWT({ iss, sub: 'alice', aud: 'rooms', iat: now, exp: now + 600 }, key, { typ: 'at+jwt' });
 * ```
 */
export function signJWT(claims: JWTClaims, key: SigningKey, opts: SignJWTOptions = {}): string {
  const sign = signer(key);
  const input = `${headerSegment(key, opts)}.${payloadSegment(claims)}`;
  return `${input}.${sign(input)}`;
}

/**
 * A prepared signer: the header segment is encoded once.
 *
 * @example
 * ```ts
 * const signer = createSigner(key, { typ: 'at+jwt' });
 * const token = signer.sign({ sub: 'alice', exp: now + 600 });
 * ```
 */
export function createSigner(key: SigningKey, opts: SignOptions = {}): { sign(claims: JWTClaims): string } {
  const sign = signer(key);
  const header = headerSegment(key, { typ: opts.typ, kid: opts.kid });
  return {
    sign(claims: JWTClaims): string {
      const input = `${header}.${payloadSegment(claims)}`;
      return `${input}.${sign(input)}`;
    },
  };
}

/**
 * Every JWS algorithm @keycard/jwt supports. `none` is not one of them and never will be.
 *
 * @example
 * ```ts
 * const alg: JWSAlgorithm = 'ES256';
 * ```
 */
export type JWSAlgorithm =
  | 'EdDSA'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'HS256'
  | 'HS384'
  | 'HS512';
/**
 * Algorithms signed with a private key and verified with a public key.
 *
 * @example
 * ```ts
 * const key = await generateKeyPair('EdDSA' satisfies AsymmetricAlgorithm);
 * ```
 */
export type AsymmetricAlgorithm = Exclude<JWSAlgorithm, 'HS256' | 'HS384' | 'HS512'>;
/**
 * HMAC algorithms: one shared secret signs and verifies.
 *
 * @example
 * ```ts
 * const secret = generateSecret('HS256' satisfies HmacAlgorithm);
 * ```
 */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';

/**
 * A JSON Web Key (RFC 7517). Only the members keycard reads are typed.
 *
 * @example
 * ```ts
 * const jwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', alg: 'EdDSA' };
 * ```
 */
export interface JWK {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  n?: string;
  e?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  k?: string;
  [member: string]: unknown;
}

/**
 * A JSON Web Key Set (RFC 7517 §5).
 *
 * @example
 * ```ts
 * const jwks: JWKS = { keys: [key.publicKey.toJWK()] };
 * ```
 */
export interface JWKS {
  keys: JWK[];
}

/**
 * A JWS protected header.
 *
 * @example
 * ```ts
 * const header: JWSHeader = { alg: 'ES256', typ: 'at+jwt', kid: key.kid };
 * ```
 */
export interface JWSHeader {
  alg: string;
  typ?: string;
  kid?: string;
  [member: string]: unknown;
}

/**
 * JWT claims (RFC 7519 §4). NumericDates are seconds since the epoch.
 *
 * @example
 * ```ts
 * const claims: JWTClaims = { sub: 'alice', aud: 'rooms', exp: Math.floor(Date.now() / 1000) + 600 };
 * ```
 */
export interface JWTClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

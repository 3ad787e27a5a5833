import type { JWSAlgorithm } from '../types.js';

/** How an algorithm is computed; everything the crypto module needs, decided once per key. */
export interface AlgorithmSpec {
  readonly alg: JWSAlgorithm;
  readonly family: 'eddsa' | 'ecdsa' | 'rsa' | 'pss' | 'hmac';
  /** node:crypto digest name; null for EdDSA (the hash is part of the algorithm). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** Hash output length in bytes (PSS salt length, HMAC signature and minimum secret length). */
  readonly hashLength: number;
  /** Fixed signature length for EdDSA/ECDSA/HMAC; 0 for RSA (the modulus length decides). */
  readonly signatureLength: number;
  /** JWK kty this algorithm needs. */
  readonly kty: 'OKP' | 'EC' | 'RSA' | 'oct';
  /** JWK crv for OKP/EC. */
  readonly crv?: 'Ed25519' | 'P-256' | 'P-384' | 'P-521';
  /** node:crypto named curve (asymmetricKeyDetails.namedCurve) for EC. */
  readonly namedCurve?: 'prime256v1' | 'secp384r1' | 'secp521r1';
}

const table: Record<JWSAlgorithm, AlgorithmSpec> = {
  EdDSA: {
    alg: 'EdDSA',
    family: 'eddsa',
    hash: null,
    hashLength: 64,
    signatureLength: 64,
    kty: 'OKP',
    crv: 'Ed25519',
  },
  ES256: {
    alg: 'ES256',
    family: 'ecdsa',
    hash: 'sha256',
    hashLength: 32,
    signatureLength: 64,
    kty: 'EC',
    crv: 'P-256',
    namedCurve: 'prime256v1',
  },
  ES384: {
    alg: 'ES384',
    family: 'ecdsa',
    hash: 'sha384',
    hashLength: 48,
    signatureLength: 96,
    kty: 'EC',
    crv: 'P-384',
    namedCurve: 'secp384r1',
  },
  ES512: {
    alg: 'ES512',
    family: 'ecdsa',
    hash: 'sha512',
    hashLength: 64,
    signatureLength: 132,
    kty: 'EC',
    crv: 'P-521',
    namedCurve: 'secp521r1',
  },
  RS256: { alg: 'RS256', family: 'rsa', hash: 'sha256', hashLength: 32, signatureLength: 0, kty: 'RSA' },
  RS384: { alg: 'RS384', family: 'rsa', hash: 'sha384', hashLength: 48, signatureLength: 0, kty: 'RSA' },
  RS512: { alg: 'RS512', family: 'rsa', hash: 'sha512', hashLength: 64, signatureLength: 0, kty: 'RSA' },
  PS256: { alg: 'PS256', family: 'pss', hash: 'sha256', hashLength: 32, signatureLength: 0, kty: 'RSA' },
  PS384: { alg: 'PS384', family: 'pss', hash: 'sha384', hashLength: 48, signatureLength: 0, kty: 'RSA' },
  PS512: { alg: 'PS512', family: 'pss', hash: 'sha512', hashLength: 64, signatureLength: 0, kty: 'RSA' },
  HS256: { alg: 'HS256', family: 'hmac', hash: 'sha256', hashLength: 32, signatureLength: 32, kty: 'oct' },
  HS384: { alg: 'HS384', family: 'hmac', hash: 'sha384', hashLength: 48, signatureLength: 48, kty: 'oct' },
  HS512: { alg: 'HS512', family: 'hmac', hash: 'sha512', hashLength: 64, signatureLength: 64, kty: 'oct' },
};

/** All supported algorithms, in a stable order. */
export const ALGORITHMS: readonly JWSAlgorithm[] = Object.freeze(Object.keys(table) as JWSAlgorithm[]);

/** Minimum RSA modulus size (RFC 7518 §3.3 and §3.5). */
export const MIN_RSA_BITS = 2048;

/** True for a supported algorithm name (exact, case-sensitive: `none`, `hs256` are not). */
export function isAlgorithm(value: unknown): value is JWSAlgorithm {
  return typeof value === 'string' && Object.hasOwn(table, value);
}

export function isHmacAlgorithm(alg: JWSAlgorithm): alg is 'HS256' | 'HS384' | 'HS512' {
  return table[alg].family === 'hmac';
}

/** The spec of a supported algorithm. */
export function algorithmSpec(alg: JWSAlgorithm): AlgorithmSpec {
  return table[alg];
}

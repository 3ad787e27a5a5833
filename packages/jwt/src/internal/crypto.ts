/**
 * The only module that touches node:crypto (with hmac.ts, its HMAC verify path). Everything else works
 * with the small functions here, so OpenSSL details (key formats, DSA encodings, PSS parameters) live in one place.
 */

import type { KeyObject } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import type { AlgorithmSpec } from './algorithms.js';
import { decodeAscii } from './base64url.js';
import { prepareHmacCompactVerify } from './hmac.js';

export type { KeyObject };

/** Checks a signature over `data`; false for any wrong length or failed check, never throws. */
export type VerifyFn = (data: string | Uint8Array, signature: Uint8Array) => boolean;
/**
 * Checks the signature segment of a compact JWS `token` (ASCII: `split` checked it) over the signing
 * input `token[0, dot)`: undefined when the segment is empty or not canonical base64url, else whether
 * the signature is valid. Lets HMAC decode the segment into a reused buffer.
 */
export type CompactVerifyFn = (token: string, dot: number) => boolean | undefined;
/** Signs `data`, returning the JWS signature octets (raw r||s for ECDSA). */
export type SignFn = (data: string | Uint8Array) => Buffer;
/** Signs `data`, returning the base64url signature segment (HMAC encodes natively, no extra Buffer). */
export type SignSegmentFn = (data: string) => string;

const PSS = nodeCrypto.constants.RSA_PKCS1_PSS_PADDING;
// node:crypto accepts a string as data (UTF-8) at runtime although @types/node only lists byte views;
// passing the signing input as a string saves a Buffer per call. The casts below rely on that.

/** Signature length in bytes for this key (fixed per algorithm, or the RSA modulus length). */
export function signatureLength(spec: AlgorithmSpec, key: KeyObject): number {
  if (spec.signatureLength !== 0) return spec.signatureLength;
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

/**
 * Builds the verify function for one key, once: the options object is created here, so each call
 * does one length check and one OpenSSL call. ECDSA wants raw r||s (RFC 7518 §3.4); a DER signature
 * has another length and is rejected before OpenSSL sees it.
 */
export function prepareVerify(spec: AlgorithmSpec, key: KeyObject): VerifyFn {
  const length = signatureLength(spec, key);
  const hash = spec.hash;
  switch (spec.family) {
    case 'hmac': {
      const h = hash!;
      return (data, signature) => {
        if (signature.length !== length) return false;
        const mac = nodeCrypto.createHmac(h, key).update(data).digest();
        return nodeCrypto.timingSafeEqual(mac, signature);
      };
    }
    case 'eddsa':
      return (data, signature) => {
        if (signature.length !== length) return false;
        try {
          return nodeCrypto.verify(null, data as Uint8Array, key, signature);
        } catch {
          return false;
        }
      };
    default: {
      // PKCS#1 v1.5 takes the KeyObject itself (no options object for node:crypto to parse per call).
      const options: KeyObject | nodeCrypto.VerifyKeyObjectInput | nodeCrypto.VerifyPublicKeyInput =
        spec.family === 'ecdsa'
          ? { key, dsaEncoding: 'ieee-p1363' }
          : spec.family === 'pss'
            ? { key, padding: PSS, saltLength: spec.hashLength }
            : key;
      return (data, signature) => {
        if (signature.length !== length) return false;
        try {
          return nodeCrypto.verify(hash, data as Uint8Array, options, signature);
        } catch {
          return false;
        }
      };
    }
  }
}

/** Builds the {@link CompactVerifyFn} for one key, once (see {@link prepareVerify}). */
export function prepareCompactVerify(spec: AlgorithmSpec, key: KeyObject, verify: VerifyFn): CompactVerifyFn {
  const generic: CompactVerifyFn = (token, dot) => {
    const signature = dot + 1 === token.length ? undefined : decodeAscii(token.slice(dot + 1));
    return signature === undefined ? undefined : verify(token.slice(0, dot), signature);
  };
  return spec.family === 'hmac' ? prepareHmacCompactVerify(spec, key, generic) : generic;
}

/** Builds the sign function for one private or secret key, once. */
export function prepareSign(spec: AlgorithmSpec, key: KeyObject): SignFn {
  const hash = spec.hash;
  switch (spec.family) {
    case 'hmac':
      return (data) => nodeCrypto.createHmac(hash!, key).update(data).digest();
    case 'eddsa':
      return (data) => nodeCrypto.sign(null, data as Uint8Array, key);
    default: {
      const options: KeyObject | nodeCrypto.SignKeyObjectInput =
        spec.family === 'ecdsa'
          ? { key, dsaEncoding: 'ieee-p1363' }
          : spec.family === 'pss'
            ? { key, padding: PSS, saltLength: spec.hashLength }
            : key;
      return (data) => nodeCrypto.sign(hash, data as Uint8Array, options);
    }
  }
}

/** The segment-producing variant of {@link prepareSign}, used by signJWT and createSigner. */
export function prepareSignSegment(spec: AlgorithmSpec, key: KeyObject): SignSegmentFn {
  if (spec.family === 'hmac') {
    const hash = spec.hash!;
    return (data) => nodeCrypto.createHmac(hash, key).update(data).digest('base64url');
  }
  const sign = prepareSign(spec, key);
  return (data) => sign(data).toString('base64url');
}

/** Constant-time comparison of two byte strings (false for different lengths). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && nodeCrypto.timingSafeEqual(a, b);
}

/** HMAC of `data` with a raw secret (used outside JWS, e.g. by tests and helpers). */
export function hmac(
  hash: 'sha256' | 'sha384' | 'sha512',
  secret: Uint8Array,
  data: Uint8Array | string,
): Buffer {
  return nodeCrypto.createHmac(hash, secret).update(data).digest();
}

/** SHA-2 digest. */
export function digest(hash: 'sha256' | 'sha384' | 'sha512', data: Uint8Array | string): Buffer {
  return nodeCrypto.createHash(hash).update(data).digest();
}

/** Cryptographically secure random bytes. */
export function randomBytes(size: number): Buffer {
  return nodeCrypto.randomBytes(size);
}

/** A UUID v4 from the CSPRNG (JWT `jti`). */
export function randomUUID(): string {
  return nodeCrypto.randomUUID();
}

export function importPublicJWK(jwk: nodeCrypto.JsonWebKey): KeyObject {
  return nodeCrypto.createPublicKey({ key: jwk, format: 'jwk' });
}

export function importPrivateJWK(jwk: nodeCrypto.JsonWebKey): KeyObject {
  return nodeCrypto.createPrivateKey({ key: jwk, format: 'jwk' });
}

export function importSecret(bytes: Uint8Array): KeyObject {
  return nodeCrypto.createSecretKey(bytes);
}

/** PEM (SPKI, PKCS#8, or an X.509 certificate whose public key is taken). */
export function importPEM(pem: string): KeyObject {
  if (pem.includes('PRIVATE KEY-----')) return nodeCrypto.createPrivateKey({ key: pem, format: 'pem' });
  if (pem.includes('-----BEGIN CERTIFICATE-----')) return new nodeCrypto.X509Certificate(pem).publicKey;
  return nodeCrypto.createPublicKey({ key: pem, format: 'pem' });
}

/** The public half of a private key. */
export function publicOf(privateKey: KeyObject): KeyObject {
  return nodeCrypto.createPublicKey(privateKey);
}

/** JWK members of a key, as node:crypto exports them. */
export function exportJWK(key: KeyObject): Record<string, unknown> {
  return key.export({ format: 'jwk' }) as Record<string, unknown>;
}

/** Generates a private key for an asymmetric algorithm. */
export function generatePrivateKey(spec: AlgorithmSpec, modulusLength: number): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: KeyObject, priv: KeyObject) => (err ? reject(err) : resolve(priv));
    switch (spec.family) {
      case 'eddsa':
        nodeCrypto.generateKeyPair('ed25519', {}, done);
        return;
      case 'ecdsa':
        nodeCrypto.generateKeyPair('ec', { namedCurve: spec.namedCurve! }, done);
        return;
      case 'rsa':
      case 'pss':
        nodeCrypto.generateKeyPair('rsa', { modulusLength, publicExponent: 0x10001 }, done);
        return;
      default:
        reject(new Error('not an asymmetric algorithm'));
    }
  });
}

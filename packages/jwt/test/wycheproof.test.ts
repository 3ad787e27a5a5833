/**
 * Wycheproof vectors (test/vectors/wycheproof, see SOURCE.md) run through the exact verify function a
 * verifier uses for each key (`key[INTERNALS].verify`, which applies the signature length rule and then
 * one node:crypto call). A JWS signing input is ASCII, so the arbitrary-byte messages cannot be wrapped
 * in a compact token; the primitive is the part of the path that sees the signature.
 *
 * "acceptable": the one such vector (PKCS#1 v1.5 DigestInfo without NULL, tcId 8) is rejected: we want
 * the strict reading, and the test pins that.
 * HMAC: JWS never truncates (RFC 7518 §3.2), so groups with a shorter tagSize must be rejected even
 * when Wycheproof marks them valid; keys shorter than the hash output are refused at import.
 */
import { describe, expect, it } from 'vitest';
import {
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  importJWK,
  importPEM,
  type JWK,
} from '../src/index.js';
import { INTERNALS } from '../src/keys/key.js';
import { codeOf, loadVector } from './helpers.js';

interface SigTest {
  tcId: number;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}
interface SigGroup {
  publicKeyJwk?: JWK;
  keyJwk?: JWK;
  publicKeyPem: string;
  tests: SigTest[];
}
interface MacTest {
  tcId: number;
  key: string;
  msg: string;
  tag: string;
  result: 'valid' | 'invalid';
}
interface MacGroup {
  keySize: number;
  tagSize: number;
  tests: MacTest[];
}

const SIGNATURE_FILES: [string, AsymmetricAlgorithm][] = [
  ['ecdsa_secp256r1_sha256_p1363_test.json', 'ES256'],
  ['ecdsa_secp384r1_sha384_p1363_test.json', 'ES384'],
  ['ecdsa_secp521r1_sha512_p1363_test.json', 'ES512'],
  ['ed25519_test.json', 'EdDSA'],
  ['rsa_signature_2048_sha256_test.json', 'RS256'],
  ['rsa_pss_2048_sha256_mgf1_32_test.json', 'PS256'],
];

const hex = (s: string) => Buffer.from(s, 'hex');

function verifyKey(group: SigGroup, alg: AsymmetricAlgorithm) {
  const jwk = group.publicKeyJwk ?? group.keyJwk;
  // Wycheproof JWKs carry kid "none" and, for RSA, their own alg; we bind the file's algorithm.
  const key = jwk ? importJWK({ ...jwk, alg }) : importPEM(group.publicKeyPem, alg);
  if (key.type !== 'public') throw new Error('expected a public key');
  return key;
}

describe('Wycheproof signature vectors', () => {
  it.each(SIGNATURE_FILES)('%s (%s): every vector gives its expected result', (file, alg) => {
    const data = loadVector<{ testGroups: SigGroup[]; numberOfTests: number }>(`wycheproof/${file}`);
    let count = 0;
    const wrong: number[] = [];
    for (const group of data.testGroups) {
      const key = verifyKey(group, alg);
      for (const test of group.tests) {
        count++;
        const ok = key[INTERNALS].verify(hex(test.msg), hex(test.sig));
        const expected = test.result === 'valid'; // 'acceptable' → rejected (strict)
        if (ok !== expected) wrong.push(test.tcId);
      }
    }
    expect(wrong).toEqual([]);
    expect(count).toBe(data.numberOfTests);
  });

  it('rejects the one "acceptable" vector (RSA PKCS#1 DigestInfo without NULL)', () => {
    const data = loadVector<{ testGroups: SigGroup[] }>('wycheproof/rsa_signature_2048_sha256_test.json');
    const acceptable = data.testGroups.flatMap((g) =>
      g.tests.filter((t) => t.result === 'acceptable').map((t) => ({ g, t })),
    );
    expect(acceptable.map(({ t }) => t.flags)).toEqual([['MissingNull']]);
    for (const { g, t } of acceptable) {
      expect(verifyKey(g, 'RS256')[INTERNALS].verify(hex(t.msg), hex(t.sig))).toBe(false);
    }
  });

  it('the P1363 length rule: a valid ECDSA signature re-encoded as DER is rejected', async () => {
    const { createPublicKey, verify } = await import('node:crypto');
    for (const [file, alg] of SIGNATURE_FILES.slice(0, 3)) {
      const data = loadVector<{ testGroups: SigGroup[] }>(`wycheproof/${file}`);
      const group = data.testGroups.find((g) => g.publicKeyJwk)!;
      const test = group.tests.find((t) => t.result === 'valid')!;
      const key = verifyKey(group, alg!);
      const der = toDER(hex(test.sig));
      const nodeKey = createPublicKey({ key: group.publicKeyJwk as never, format: 'jwk' });
      const hash = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[alg as 'ES256']!;
      expect(verify(hash, hex(test.msg), nodeKey, der)).toBe(true); // really a valid DER signature
      expect(key[INTERNALS].verify(hex(test.msg), hex(test.sig))).toBe(true);
      expect(key[INTERNALS].verify(hex(test.msg), der)).toBe(false);
    }
  });
});

describe('Wycheproof HMAC vectors', () => {
  it.each([
    ['hmac_sha256_test.json', 'HS256', 256],
    ['hmac_sha384_test.json', 'HS384', 384],
    ['hmac_sha512_test.json', 'HS512', 512],
  ] as const)('%s (%s)', (file, alg, bits) => {
    const data = loadVector<{ testGroups: MacGroup[] }>(`wycheproof/${file}`);
    const wrong: string[] = [];
    for (const group of data.testGroups) {
      for (const test of group.tests) {
        const jwk = { kty: 'oct', k: hex(test.key).toString('base64url'), alg: alg as HmacAlgorithm };
        if (group.keySize < bits) {
          // Below RFC 7518 §3.2's minimum: refused before any MAC is computed.
          if (codeOf(() => importJWK(jwk)) !== 'ERR_JWK_INVALID') wrong.push(`${test.tcId}:short-key`);
          continue;
        }
        const key = importJWK(jwk);
        const ok = key[INTERNALS].verify(hex(test.msg), hex(test.tag));
        const expected = group.tagSize === bits && test.result === 'valid';
        if (ok !== expected) wrong.push(`${test.tcId}:${group.keySize}/${group.tagSize}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

/** IEEE P1363 r||s → DER SEQUENCE { INTEGER r, INTEGER s }. */
function toDER(raw: Buffer): Buffer {
  const half = raw.length / 2;
  const int = (bytes: Buffer) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let v = bytes.subarray(i);
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/**
 * Attacks on a resource server's proof check that an outsider can mount with keys of their own choosing
 * (the signature need not even be valid): each is refused with ERR_DPOP_PROOF_INVALID, never a TypeError
 * or a long CPU stall.
 */
import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type PrivateKey, verifyDpopProof } from '../src/index.js';
import { forge } from './helpers.js';

const NOW = 1_800_000_000;
const clock = () => NOW * 1000;
const URL_ = 'https://rooms.example/rooms/12';
const claims = JSON.stringify({ jti: 'j-1', htm: 'GET', htu: URL_, iat: NOW });

let signer: PrivateKey;
beforeAll(async () => {
  signer = await generateKeyPair('ES256');
});

/** The error verifyDpopProof throws for a proof with this header (signed by some unrelated key). */
function errorFor(header: Record<string, unknown>): { code?: string; reason?: string } {
  try {
    verifyDpopProof(forge(JSON.stringify(header), claims, signer), { method: 'GET', url: URL_, clock });
    return {};
  } catch (error) {
    const e = error as { code?: string; cause?: { message?: string } };
    return { code: e.code, reason: e.cause?.message };
  }
}

describe('DPoP proofs with hostile keys', () => {
  it('a jwk kty naming an Object.prototype member (constructor, __proto__, toString)', () => {
    for (const kty of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(errorFor({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty } })).toEqual({
        code: 'ERR_DPOP_PROOF_INVALID',
        reason: 'header jwk kty is not supported',
      });
    }
  });

  it('an RSA jwk with a huge public exponent or modulus (CPU exhaustion)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const { n } = publicKey.export({ format: 'jwk' }) as { n: string };
    const hugeE = Buffer.alloc(4000, 0xff).toString('base64url');
    expect(errorFor({ typ: 'dpop+jwt', alg: 'PS256', jwk: { kty: 'RSA', n, e: hugeE } })).toEqual({
      code: 'ERR_DPOP_PROOF_INVALID',
      reason: 'header jwk RSA exponent or modulus is too large',
    });
    const hugeN = Buffer.alloc(1040, 0xc3).toString('base64url'); // 8320 bits
    expect(errorFor({ typ: 'dpop+jwt', alg: 'PS256', jwk: { kty: 'RSA', n: hugeN, e: 'AQAB' } })).toEqual({
      code: 'ERR_DPOP_PROOF_INVALID',
      reason: 'header jwk RSA exponent or modulus is too large',
    });
    // An ordinary key gets as far as the signature (it was made by another key).
    expect(errorFor({ typ: 'dpop+jwt', alg: 'PS256', jwk: { kty: 'RSA', n, e: 'AQAB' } }).reason).toBe(
      'signature is invalid',
    );
  });
});

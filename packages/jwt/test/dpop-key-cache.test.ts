/** The proof-key cache and the ath memo: a repeated header segment or card skips work, never a check. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProofKeyCache, proofKeys } from '../src/dpop/proof-key-cache.js';
import {
  accessTokenHash,
  createDpopProof,
  generateKeyPair,
  type PrivateKey,
  verifyDpopProof,
} from '../src/index.js';
import { codeOf } from './helpers.js';

const URL_ = 'https://rooms.example/rooms/1';
const NOW = 1_800_000_000_000;
const clock = () => NOW;

function proofOf(key: PrivateKey, jti: string): string {
  return createDpopProof(key, { method: 'GET', url: URL_, clock, jti });
}

/** `proof` with its signature replaced by `other`'s (same header segment, same claims shape). */
function withSignatureOf(proof: string, other: string): string {
  return `${proof.slice(0, proof.lastIndexOf('.'))}${other.slice(other.lastIndexOf('.'))}`;
}

describe('verifyDpopProof with a cached proof key', () => {
  it('still verifies the signature of every proof whose header is cached', async () => {
    const key = await generateKeyPair('ES256');
    const first = verifyDpopProof(proofOf(key, 'a'), { method: 'GET', url: URL_, clock });
    const again = verifyDpopProof(proofOf(key, 'b'), { method: 'GET', url: URL_, clock });
    expect(again.jkt).toBe(first.jkt);
    const forged = withSignatureOf(proofOf(key, 'c'), proofOf(key, 'd'));
    expect(codeOf(() => verifyDpopProof(forged, { method: 'GET', url: URL_, clock }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('a signature of another key under a cached header is refused', async () => {
    const key = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    verifyDpopProof(proofOf(key, 'a'), { method: 'GET', url: URL_, clock });
    const forged = withSignatureOf(proofOf(key, 'b'), proofOf(other, 'b'));
    expect(codeOf(() => verifyDpopProof(forged, { method: 'GET', url: URL_, clock }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('checks the allow-list of each call on a cached header', async () => {
    const key = await generateKeyPair('ES256');
    verifyDpopProof(proofOf(key, 'a'), { method: 'GET', url: URL_, clock });
    const narrow = { method: 'GET', url: URL_, clock, algorithms: ['EdDSA' as const] };
    expect(codeOf(() => verifyDpopProof(proofOf(key, 'b'), narrow))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('checks every claim of a proof whose header is cached', async () => {
    const key = await generateKeyPair('ES256');
    verifyDpopProof(proofOf(key, 'a'), { method: 'GET', url: URL_, clock });
    const proof = proofOf(key, 'b');
    expect(codeOf(() => verifyDpopProof(proof, { method: 'POST', url: URL_, clock }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(codeOf(() => verifyDpopProof(proof, { method: 'GET', url: `${URL_}/x`, clock }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(
      codeOf(() => verifyDpopProof(proof, { method: 'GET', url: URL_, clock: () => NOW + 600_000 })),
    ).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('caches a header only after a good signature, and returns it frozen', async () => {
    const key = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const forged = withSignatureOf(proofOf(key, 'a'), proofOf(other, 'a'));
    const segment = forged.slice(0, forged.indexOf('.'));
    expect(codeOf(() => verifyDpopProof(forged, { method: 'GET', url: URL_, clock }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(proofKeys.get(segment)).toBeUndefined();
    const verified = verifyDpopProof(proofOf(key, 'b'), { method: 'GET', url: URL_, clock });
    expect(proofKeys.get(segment)?.jkt).toBe(verified.jkt);
    expect(Object.isFrozen(verified.header)).toBe(true);
    expect(Object.isFrozen(verified.header['jwk'])).toBe(true);
  });
});

describe('ProofKeyCache', () => {
  const entry = (jkt: string) => ({ header: { alg: 'ES256' }, jwk: { kty: 'EC' }, jkt, verify: () => true });

  it('drops the least recently used entry when full', () => {
    const cache = new ProofKeyCache(2);
    cache.set('a', entry('A'));
    cache.set('b', entry('B'));
    expect(cache.get('a')?.jkt).toBe('A');
    cache.set('c', entry('C'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.jkt).toBe('A');
    expect(cache.get('c')?.jkt).toBe('C');
    expect(cache.size).toBe(2);
  });

  it('never keeps an overlong header segment', () => {
    const cache = new ProofKeyCache(2);
    cache.set('x'.repeat(2049), entry('X'));
    expect(cache.size).toBe(0);
  });
});

describe('accessTokenHash memo', () => {
  const sha = (t: string) => createHash('sha256').update(t).digest('base64url');

  it('answers the hash of each token, before and after its memo entry is evicted', () => {
    const tokens = Array.from({ length: 1500 }, (_, i) => `token.${i}.sig`);
    for (const t of tokens) expect(accessTokenHash(t)).toBe(sha(t));
    for (const t of tokens) expect(accessTokenHash(t)).toBe(sha(t));
    const long = 'a'.repeat(5000);
    expect(accessTokenHash(long)).toBe(sha(long));
    expect(accessTokenHash(long)).toBe(sha(long));
  });

  it('still refuses a token that is not ASCII', () => {
    expect(() => accessTokenHash('tök')).toThrow(TypeError);
    expect(() => accessTokenHash('tök')).toThrow(TypeError);
  });
});

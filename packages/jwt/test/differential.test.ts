/**
 * Differential tests against `jose` (dev dependency only) over every algorithm with random claims:
 * tokens we sign, jose verifies; tokens jose signs, we verify; a mutated token is rejected by both.
 */
import fc from 'fast-check';
import * as jose from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  generateKeyPair,
  generateSecret,
  type JWSAlgorithm,
  type SigningKey,
  signJWT,
  type Verifier,
} from '../src/index.js';
import { codeOf } from './helpers.js';

const ALGS: JWSAlgorithm[] = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'HS256',
  'HS384',
  'HS512',
];
const NOW = Math.floor(Date.now() / 1000);
const RESERVED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', '__proto__']);

/** Random claims: registered ones of the right type plus arbitrary JSON extras. */
const claimsArb = fc
  .record(
    {
      iss: fc.webUrl(),
      sub: fc.string({ unit: 'binary', maxLength: 40 }),
      aud: fc.oneof(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 4 }),
      ),
      iat: fc.integer({ min: NOW - 300, max: NOW }),
      nbf: fc.integer({ min: NOW - 300, max: NOW }),
      jti: fc.uuid(),
      extra: fc.dictionary(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !RESERVED.has(k)),
        fc.jsonValue({ maxDepth: 3 }),
        { maxKeys: 6 },
      ),
    },
    { requiredKeys: ['extra'] },
  )
  .map(({ extra, ...registered }) => ({ ...extra, ...registered, exp: NOW + 3600 }));

/** JSON round trip: what a verifier can return (-0 becomes 0 and so on). */
const viaJSON = (value: unknown) => JSON.parse(JSON.stringify(value));

interface Pair {
  ours: SigningKey;
  verifier: Verifier;
  joseSign: jose.CryptoKey | Uint8Array;
  joseVerify: jose.CryptoKey | Uint8Array;
}
const pairs = new Map<JWSAlgorithm, Pair>();

beforeAll(async () => {
  for (const alg of ALGS) {
    const ours = alg.startsWith('HS')
      ? generateSecret(alg as 'HS256')
      : await generateKeyPair(alg as 'ES256');
    const verifyKey = ours.type === 'private' ? ours.publicKey : ours;
    const joseSign = await jose.importJWK(ours.toJWK() as jose.JWK, alg);
    const joseVerify = await jose.importJWK(verifyKey.toJWK() as jose.JWK, alg);
    pairs.set(alg, { ours, verifier: createVerifier({ keys: [verifyKey] }), joseSign, joseVerify });
  }
});

/** Replaces one character (not the last of a segment, whose low bits may be unused) with another. */
function mutate(token: string, at: number, replacement: string): string | undefined {
  const i = at % token.length;
  const c = token[i]!;
  if (c === '.' || token[i + 1] === '.' || i === token.length - 1 || c === replacement) return undefined;
  return token.slice(0, i) + replacement + token.slice(i + 1);
}
const b64char = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

describe.each(ALGS)('differential vs jose: %s', (alg) => {
  const runs = alg.startsWith('RS') || alg.startsWith('PS') ? 15 : 30;

  it('we sign, jose verifies', async () => {
    const { ours, joseVerify } = pairs.get(alg)!;
    await fc.assert(
      fc.asyncProperty(claimsArb, async (claims) => {
        const token = signJWT(claims, ours);
        const { payload, protectedHeader } = await jose.jwtVerify(token, joseVerify, { algorithms: [alg] });
        expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: ours.kid });
        expect(payload).toEqual(viaJSON(claims));
      }),
      { numRuns: runs },
    );
  });

  it('jose signs, we verify', async () => {
    const { ours, verifier, joseSign } = pairs.get(alg)!;
    await fc.assert(
      fc.asyncProperty(claimsArb, async (claims) => {
        const token = await new jose.SignJWT(claims)
          .setProtectedHeader({ alg, kid: ours.kid, typ: 'JWT' })
          .sign(joseSign);
        const { payload, header } = verifier.verify(token);
        expect(header).toEqual({ alg, kid: ours.kid, typ: 'JWT' });
        expect(payload).toEqual(viaJSON(claims));
      }),
      { numRuns: runs },
    );
  });

  it('a mutated token is rejected by both', async () => {
    const { ours, verifier, joseVerify } = pairs.get(alg)!;
    await fc.assert(
      fc.asyncProperty(claimsArb, fc.nat(), b64char, async (claims, at, replacement) => {
        const mutated = mutate(signJWT(claims, ours), at, replacement);
        fc.pre(mutated !== undefined);
        expect(codeOf(() => verifier.verify(mutated!))).not.toBe('OK');
        await expect(jose.jwtVerify(mutated!, joseVerify, { algorithms: [alg] })).rejects.toThrow();
      }),
      { numRuns: runs },
    );
  });
});

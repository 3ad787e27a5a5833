/**
 * EC members without their leading zero bytes (as PyJWT 2.6 exports about one key in a hundred) are
 * left-padded on import; longer ones and off-curve points are still refused; KeySet says which key it
 * skipped and why. Keys come from a fixed list of private scalars, so no test depends on chance.
 */
import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  calculateThumbprint,
  createVerifier,
  describeSkippedKeys,
  importJWK,
  type JWK,
  KeySet,
  signJWT,
} from '../src/index.js';
import { codeOf } from './helpers.js';

const CURVES = {
  'P-256': ['prime256v1', 32, 'ES256'],
  'P-384': ['secp384r1', 48, 'ES384'],
  'P-521': ['secp521r1', 66, 'ES512'],
} as const;
type Crv = keyof typeof CURVES;

/** The first private scalar d = 1, 2, 3, … whose public `coordinate` starts with a zero byte. */
function keyWithLeadingZero(crv: Crv, coordinate: 'x' | 'y'): { d: Buffer; x: Buffer; y: Buffer } {
  const [curve, size] = CURVES[crv];
  for (let i = 1; i < 100_000; i++) {
    const d = Buffer.alloc(size);
    d.writeUInt32BE(i, size - 4);
    const ecdh = createECDH(curve);
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey(); // 0x04 || x || y
    const x = point.subarray(1, 1 + size);
    const y = point.subarray(1 + size);
    if ((coordinate === 'x' ? x : y)[0] === 0) return { d, x, y };
  }
  throw new Error('no scalar found');
}

const b64 = (bytes: Buffer) => bytes.toString('base64url');
const strip = (bytes: Buffer) => {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
};

describe.each(Object.keys(CURVES) as Crv[])('%s', (crv) => {
  const alg = CURVES[crv][2];
  it.each(['x', 'y'] as const)(
    'a short %s is left-padded: the key imports, verifies its signatures, keeps its thumbprint',
    (name) => {
      const { d, x, y } = keyWithLeadingZero(crv, name);
      const full: JWK = { kty: 'EC', crv, x: b64(x), y: b64(y) };
      const short: JWK = { ...full, [name]: b64(strip(name === 'x' ? x : y)) };
      expect((short[name] as string).length).toBeLessThan((full[name] as string).length);
      const signer = importJWK({ ...full, d: b64(d), kid: 'k' }, { alg, type: 'private' });
      const token = signJWT({ sub: 'alice', exp: 2_000_000_000 }, signer);
      const publicKey = importJWK({ ...short, kid: 'k' }, { alg });
      expect(publicKey.type).toBe('public');
      expect(
        createVerifier({ keys: [publicKey as never], clock: () => 1_900_000_000_000 }).verify(token).payload
          .sub,
      ).toBe('alice');
      // The exported JWK is canonical (full length), so the thumbprint is the full key's.
      expect(publicKey.toJWK()[name]).toBe(full[name]);
      expect(calculateThumbprint(publicKey.toJWK())).toBe(calculateThumbprint(full));
      // A short private key imports too (its public members are checked against it).
      expect(importJWK({ ...short, d: b64(strip(d)) }, { alg }).type).toBe('private');
      // And through a JWK Set.
      const set = KeySet.from({ keys: [{ ...short, kid: 'k', alg }] });
      expect(set.keys.map((k) => k.kid)).toEqual(['k']);
      expect(set.skipped).toEqual([]);
    },
  );

  it('a longer member or a point off the curve is still refused', () => {
    const { x, y } = keyWithLeadingZero(crv, 'x');
    expect(
      codeOf(() =>
        importJWK({ kty: 'EC', crv, x: b64(Buffer.concat([Buffer.alloc(1), x])), y: b64(y) }, { alg }),
      ),
    ).toBe('ERR_JWK_INVALID');
    const offCurve = Buffer.from(y);
    offCurve[offCurve.length - 1]! ^= 1;
    expect(codeOf(() => importJWK({ kty: 'EC', crv, x: b64(strip(x)), y: b64(offCurve) }, { alg }))).toBe(
      'ERR_JWK_INVALID',
    );
  });
});

describe('KeySet.skipped', () => {
  it('names each skipped key (kid or position) and why', () => {
    const { x, y } = keyWithLeadingZero('P-256', 'x');
    const good = { kty: 'EC', crv: 'P-256', x: b64(x), y: b64(y), kid: 'good', alg: 'ES256' };
    const set = KeySet.from(
      {
        keys: [
          good,
          { ...good, kid: 'enc', use: 'enc' },
          { ...good, kid: 'hs', alg: 'HS256' },
          { ...good, kid: 'long', x: b64(Buffer.concat([Buffer.alloc(1), x])) },
          { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
          'not a key',
        ],
      },
      { algorithms: ['ES256', 'RS256', 'PS256'] },
    );
    expect(set.keys.map((k) => k.kid)).toEqual(['good']);
    expect(set.skipped.map((s) => [s.index, s.kid])).toEqual([
      [1, 'enc'],
      [2, 'hs'],
      [3, 'long'],
      [4, undefined],
      [5, undefined],
    ]);
    const text = describeSkippedKeys(set.skipped);
    expect(text).toContain('key "enc" skipped: use is "enc", not "sig"');
    expect(text).toContain('key "hs" skipped: alg HS256 is not allowed');
    expect(text).toContain('key "long" skipped: JWK member x is longer than the curve size');
    expect(text).toContain(
      'key #4 skipped: no alg, and kty "RSA" fits several allowed algorithms (RS256, PS256)',
    );
    expect(text).toContain('key #5 skipped: not a JSON object');
    expect(text).not.toContain(b64(x));
  });
});

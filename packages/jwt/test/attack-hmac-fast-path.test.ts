/**
 * An outsider's attack on the HMAC verify fast path (internal/hmac.ts: prepared key blocks, a reused
 * input buffer, a reused signature buffer), through the public createVerifier only. Every answer is
 * cross-checked with `jose` on the same bytes; where keycard is deliberately stricter (non-canonical
 * base64url), that is asserted and said.
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, generateKeyPair, importJWK, type PrivateKey, type SecretKey } from '../src/index.js';
import { INTERNALS } from '../src/keys/key.js';
import { b64, codeOf, forge } from './helpers.js';

const NOW = 1_800_000_000;
const clock = () => NOW * 1000;
const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
type Hs = keyof typeof HASH;

/** The attacker's own bytes: header/payload JSON, HMAC'd with any secret and hash. */
function mac(input: string, secret: Buffer, hash: string): string {
  return createHmac(hash, secret).update(input).digest('base64url');
}
function signingInput(alg: string, claims: object = {}): string {
  return `${b64(JSON.stringify({ alg, typ: 'JWT' }))}.${b64(JSON.stringify({ sub: 'alice', exp: NOW + 600, ...claims }))}`;
}
function hsToken(alg: Hs, secret: Buffer, claims: object = {}, hash: string = HASH[alg]): string {
  const input = signingInput(alg, claims);
  return `${input}.${mac(input, secret, hash)}`;
}

function verifierFor(alg: Hs, secret: Buffer) {
  const key = importJWK({ kty: 'oct', k: secret.toString('base64url'), alg }) as SecretKey;
  return createVerifier({ keys: [key], clock });
}
const ours = (v: ReturnType<typeof createVerifier>, token: string) => codeOf(() => v.verify(token));

async function theirs(alg: string, secret: Buffer, token: string): Promise<boolean> {
  try {
    await jose.jwtVerify(token, new Uint8Array(secret), {
      algorithms: [alg],
      currentDate: new Date(NOW * 1000),
    });
    return true;
  } catch {
    return false;
  }
}

describe('HMAC fast path: signature segment of the wrong length', () => {
  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    it(`${alg}: shorter, longer, empty, another HS length: refused as jose refuses`, async () => {
      const secret = randomBytes(64);
      const v = verifierFor(alg, secret);
      const input = signingInput(alg);
      const good = mac(input, secret, HASH[alg]);
      expect(ours(v, `${input}.${good}`)).toBe('OK');
      expect(await theirs(alg, secret, `${input}.${good}`)).toBe(true);
      const variants = [
        good.slice(0, -1),
        good.slice(0, -4),
        `${good}A`,
        `${good}AAAA`,
        '',
        ...(['sha256', 'sha384', 'sha512'] as const)
          .filter((h) => h !== HASH[alg])
          .map((h) => mac(input, secret, h)),
        // The right MAC, then its own bytes again: a length check that compares a prefix would pass.
        Buffer.concat([Buffer.from(good, 'base64url'), Buffer.from(good, 'base64url')]).toString('base64url'),
      ];
      for (const sig of variants) {
        expect(ours(v, `${input}.${sig}`), sig).not.toBe('OK');
        expect(await theirs(alg, secret, `${input}.${sig}`), sig).toBe(false);
      }
      // The right MAC with '=' padding: jose 6 accepts it; keycard refuses the non-canonical segment.
      expect(ours(v, `${input}.${good}=`)).toBe('ERR_JWS_INVALID');
    });
  }
});

describe('HMAC fast path: non-canonical base64url signature', () => {
  it('every other last character that decodes to the same bytes is refused (stricter than jose)', async () => {
    const secret = randomBytes(32);
    const v = verifierFor('HS256', secret);
    const input = signingInput('HS256');
    const good = mac(input, secret, 'sha256'); // 32 bytes = 43 chars: the last carries 2 unused bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(good.at(-1)!);
    let sameBytes = 0;
    for (let i = 0; i < 64; i++) {
      if (i === last) continue;
      const sig = good.slice(0, -1) + alphabet[i];
      const bytes = Buffer.from(sig, 'base64url');
      const canonical = bytes.toString('base64url') === sig;
      if (bytes.equals(Buffer.from(good, 'base64url'))) sameBytes++;
      // Unused bits set: keycard refuses as not canonical (even when the bytes are the right MAC);
      // a canonical spelling of other bytes is a bad MAC, for jose too.
      expect(ours(v, `${input}.${sig}`)).toBe(canonical ? 'ERR_JWS_SIGNATURE_INVALID' : 'ERR_JWS_INVALID');
      if (canonical) expect(await theirs('HS256', secret, `${input}.${sig}`)).toBe(false);
    }
    expect(sameBytes).toBe(3);
    // Standard-alphabet and padded spellings of the right MAC.
    for (const sig of [`${good}=`, Buffer.from(good, 'base64url').toString('base64')]) {
      if (sig === good) continue;
      expect(ours(v, `${input}.${sig}`)).not.toBe('OK');
    }
    // And the canonical one still verifies after all those refusals (no state left by them).
    expect(ours(v, `${input}.${good}`)).toBe('OK');
  });
});

describe('HMAC fast path: keys', () => {
  it("a token MAC'd with another HS algorithm's key, or under another alg header, is refused", async () => {
    const k256 = randomBytes(32);
    const k384 = randomBytes(48);
    const v256 = verifierFor('HS256', k256);
    // HS256 header, MAC'd with the HS384 key's bytes under SHA-256.
    const wrongKey = hsToken('HS256', k384);
    expect(ours(v256, wrongKey)).toBe('ERR_JWS_SIGNATURE_INVALID');
    expect(await theirs('HS256', k256, wrongKey)).toBe(false);
    // HS384 header MAC'd with the HS256 key: the verifier only allows HS256.
    const otherAlg = hsToken('HS384', k256);
    expect(ours(v256, otherAlg)).toBe('ERR_JWS_ALG_NOT_ALLOWED');
    expect(await theirs('HS256', k256, otherAlg)).toBe(false);
    // HS256 header carrying an HS384 MAC with the right key.
    const wrongHash = hsToken('HS256', k256, {}, 'sha384');
    expect(ours(v256, wrongHash)).not.toBe('OK');
    expect(await theirs('HS256', k256, wrongHash)).toBe(false);
  });

  for (const [alg, lengths] of [
    ['HS256', [32, 63, 64, 65, 100, 300]],
    ['HS384', [48, 127, 128, 129, 500]],
    ['HS512', [64, 127, 128, 129, 500]],
  ] as const) {
    it(`${alg}: secrets of ${lengths.join('/')} bytes (either side of the block): right accepted, a one-bit-off key refused`, async () => {
      for (const length of lengths) {
        const secret = randomBytes(length);
        const v = verifierFor(alg, secret);
        const token = hsToken(alg, secret);
        expect(ours(v, token), `${length}`).toBe('OK');
        expect(await theirs(alg, secret, token)).toBe(true);
        for (const at of [0, length - 1, Math.min(length, 64) - 1]) {
          const off = Buffer.from(secret);
          off[at]! ^= 1;
          const forged = hsToken(alg, off);
          expect(ours(v, forged), `${length}@${at}`).toBe('ERR_JWS_SIGNATURE_INVALID');
          expect(await theirs(alg, secret, forged)).toBe(false);
        }
        // A key padded with zero bytes up to the block is the same HMAC key (RFC 2104); the key past
        // the block is replaced by its digest. Both libraries must give the same answer either way.
        const padded = Buffer.concat([secret, Buffer.alloc(3)]);
        const paddedToken = hsToken(alg, padded);
        expect(ours(v, paddedToken) === 'OK').toBe(await theirs(alg, secret, paddedToken));
      }
    });
  }
});

describe('HMAC fast path: the reused input buffer', () => {
  it('a long signing input, then a short one: no stale byte enters the MAC', async () => {
    const secret = randomBytes(32);
    const v = verifierFor('HS256', secret);
    const long = signingInput('HS256', { pad: 'x'.repeat(5000) });
    const longToken = `${long}.${mac(long, secret, 'sha256')}`;
    const short = signingInput('HS256');
    expect(ours(v, longToken)).toBe('OK');
    // The MAC of the short input followed by what the long one left in the buffer.
    const withTail = `${short}.${mac(short + long.slice(short.length), secret, 'sha256')}`;
    expect(ours(v, withTail)).toBe('ERR_JWS_SIGNATURE_INVALID');
    expect(await theirs('HS256', secret, withTail)).toBe(false);
    expect(ours(v, `${short}.${mac(short, secret, 'sha256')}`)).toBe('OK');
    // Growing again, past twice the grown size, and back.
    const longer = signingInput('HS256', { pad: 'y'.repeat(12_000) });
    expect(ours(v, `${longer}.${mac(longer, secret, 'sha256')}`)).toBe('OK');
    expect(ours(v, `${long}.${mac(long, secret, 'sha256')}`)).toBe('OK');
    expect(ours(v, `${short}.${mac(short, secret, 'sha256')}`)).toBe('OK');
    // A long forged token after the buffer grew: the key block was carried over, not zeroed.
    expect(ours(v, `${longer}.${mac(longer, randomBytes(32), 'sha256')}`)).toBe('ERR_JWS_SIGNATURE_INVALID');
  });

  it('a non-ASCII character MACed as its latin1 byte (what the buffer write would truncate to) is refused', () => {
    const secret = randomBytes(32);
    const v = verifierFor('HS256', secret);
    const input = signingInput('HS256');
    const dot = input.indexOf('.');
    // U+0165 is written as 0x65 ('e') by a latin1 write: the MAC of the truncated bytes.
    for (const at of [dot - 1, dot + 1, input.length]) {
      const odd = `${input.slice(0, at)}\u0165${input.slice(at)}`;
      const truncated = createHmac('sha256', secret).update(Buffer.from(odd, 'latin1')).digest('base64url');
      expect(ours(v, `${odd}.${truncated}`)).not.toBe('OK');
    }
    const withE = `${input}e`;
    expect(ours(v, `${withE}.${mac(withE, secret, 'sha256')}`)).not.toBe('OK');
  });

  it('interleaved verifications under two keys never answer for the other key', async () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const va = verifierFor('HS256', a);
    const vb = verifierFor('HS256', b);
    const both = createVerifier({
      keys: [
        importJWK({ kty: 'oct', k: a.toString('base64url'), alg: 'HS256', kid: 'a' }) as SecretKey,
        importJWK({ kty: 'oct', k: b.toString('base64url'), alg: 'HS256', kid: 'b' }) as SecretKey,
      ],
      clock,
    });
    const kidToken = (kid: string, secret: Buffer, pad: number) => {
      const input = `${b64(JSON.stringify({ alg: 'HS256', kid }))}.${b64(JSON.stringify({ sub: 's', exp: NOW + 60, pad: 'z'.repeat(pad) }))}`;
      return `${input}.${mac(input, secret, 'sha256')}`;
    };
    for (let i = 0; i < 40; i++) {
      const pad = (i * 397) % 3000;
      const ta = hsToken('HS256', a, { i, pad: 'p'.repeat(pad) });
      const tb = hsToken('HS256', b, { i, pad: 'q'.repeat(pad) });
      expect(ours(va, ta)).toBe('OK');
      expect(ours(vb, ta)).toBe('ERR_JWS_SIGNATURE_INVALID');
      expect(ours(vb, tb)).toBe('OK');
      expect(ours(va, tb)).toBe('ERR_JWS_SIGNATURE_INVALID');
      expect(ours(both, kidToken('a', a, pad))).toBe('OK');
      expect(ours(both, kidToken('b', a, pad))).toBe('ERR_JWS_SIGNATURE_INVALID');
      expect(ours(both, kidToken('a', b, pad))).toBe('ERR_JWS_SIGNATURE_INVALID');
      expect(ours(both, kidToken('b', b, pad))).toBe('OK');
    }
    expect(await theirs('HS256', b, hsToken('HS256', a))).toBe(false);
  });
});

describe('HMAC fast path: algorithm confusion', () => {
  let rs: PrivateKey;
  let es: PrivateKey;
  beforeAll(async () => {
    rs = await generateKeyPair('RS256', { kid: 'rs' });
    es = await generateKeyPair('ES256', { kid: 'es' });
  });
  const claims = JSON.stringify({ sub: 'alice', exp: NOW + 600 });

  it('an HS256 verifier refuses RS256 and ES256 tokens, as jose does', async () => {
    const secret = randomBytes(32);
    const v = verifierFor('HS256', secret);
    for (const key of [rs, es]) {
      const token = forge(JSON.stringify({ alg: key.alg, typ: 'JWT' }), claims, key);
      expect(ours(v, token)).toBe('ERR_JWS_ALG_NOT_ALLOWED');
      expect(await theirs('HS256', secret, token)).toBe(false);
    }
  });

  it("RS256/ES256 verifiers refuse an HS256 token MAC'd with the public key's encodings", async () => {
    for (const key of [rs, es]) {
      const v = createVerifier({ keys: [key.publicKey], clock });
      const pub = key.publicKey[INTERNALS].keyObject;
      const encodings = [
        Buffer.from(pub.export({ type: 'spki', format: 'pem' }) as string),
        pub.export({ type: 'spki', format: 'der' }) as Buffer,
        Buffer.from(JSON.stringify(key.publicKey.toJWK())),
      ];
      for (const secret of encodings) {
        for (const kid of [key.publicKey.kid, undefined]) {
          const input = `${b64(JSON.stringify({ alg: 'HS256', kid }))}.${b64(claims)}`;
          const token = `${input}.${mac(input, secret, 'sha256')}`;
          expect(ours(v, token)).toBe('ERR_JWS_ALG_NOT_ALLOWED');
          const jwk = await jose.importJWK(key.publicKey.toJWK() as jose.JWK, key.alg);
          await expect(jose.jwtVerify(token, jwk, { algorithms: [key.alg] })).rejects.toThrow();
        }
      }
    }
  });
});

// The rt1 refresh token format: names its session, verifiable only with the master key.
import { describe, expect, it } from 'vitest';
import { createSealer } from '../src/crypto/index.js';
import { mintedSessionId, mintRefreshToken } from '../src/sessions/refresh-token-format.js';

/** The same token with one part replaced (0 prefix, 1 sid, 2 random, 3 mac). */
const withPart = (token: string, i: number, value: string) =>
  token
    .split('.')
    .map((p, j) => (j === i ? value : p))
    .join('.');

describe('rt1 refresh token format', () => {
  const ctx = { sealer: createSealer(Buffer.alloc(32, 1)) };

  it('names its session and verifies only under the same master key', () => {
    const token = mintRefreshToken(ctx, 'sid_1');
    expect(mintedSessionId(ctx, token)).toBe('sid_1');
    expect(mintedSessionId({ sealer: createSealer(Buffer.alloc(32, 2)) }, token)).toBeUndefined();
    expect(mintRefreshToken(ctx, 'sid_1')).not.toBe(token);
  });

  it('refuses a variant spelling of the MAC (unused low bits of its last character)', () => {
    const token = mintRefreshToken(ctx, 'sid_1');
    const mac = token.split('.')[3] as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(mac.at(-1) as string);
    const variant = `${mac.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(variant, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(mintedSessionId(ctx, withPart(token, 3, variant))).toBeUndefined();
  });

  it('refuses malformed tokens', () => {
    const token = mintRefreshToken(ctx, 'sid_1');
    for (const bad of ['', 'rt1', `${token}.x`, token.replace('rt1', 'rt2'), withPart(token, 1, 'a.b')]) {
      expect(mintedSessionId(ctx, bad)).toBeUndefined();
    }
    expect(() => mintRefreshToken(ctx, 'not.a.sid')).toThrow();
  });

  it('derives its key with HKDF: it is not an HMAC under the master key itself', () => {
    const sealer = createSealer(Buffer.alloc(32, 1));
    const mac = sealer.mac('x', 'keycard refresh-token mac v1');
    expect(mac).toHaveLength(32);
    expect(mac).not.toEqual(sealer.mac('x', 'another purpose'));
  });
});

import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PrivateKey, PublicKey, SecretKey } from '../src/index.js';
import { generateKeyPair, generateSecret, importJWK, isJoseError } from '../src/index.js';

/** `importJWK(jwk, { type })` gives the key class a caller can use without a cast (checked by tsc). */
describe('importJWK with type', () => {
  it('types and checks the kind of key', async () => {
    const pair = await generateKeyPair('ES256');
    const publicKey = importJWK(pair.publicKey.toJWK(), { type: 'public' });
    expectTypeOf(publicKey).toEqualTypeOf<PublicKey>();
    expect(publicKey.kid).toBe(pair.kid);
    const privateKey = importJWK(pair.toJWK(), { type: 'private' });
    expectTypeOf(privateKey).toEqualTypeOf<PrivateKey>();
    expectTypeOf(privateKey.publicKey).toEqualTypeOf<PublicKey>();
    const secret = importJWK(generateSecret('HS256').toJWK(), { type: 'secret', alg: 'HS256' });
    expectTypeOf(secret).toEqualTypeOf<SecretKey>();
    expectTypeOf(importJWK(pair.publicKey.toJWK())).toEqualTypeOf<PublicKey | PrivateKey | SecretKey>();
    expect(secret.type).toBe('secret');
  });

  it('refuses a JWK of another kind (a private JWK where a public key was meant)', async () => {
    const pair = await generateKeyPair('ES256');
    for (const [jwk, type] of [
      [pair.toJWK(), 'public'],
      [pair.publicKey.toJWK(), 'private'],
      [pair.publicKey.toJWK(), 'secret'],
    ] as const) {
      let error: unknown;
      try {
        importJWK(jwk, { type });
      } catch (e) {
        error = e;
      }
      expect(isJoseError(error) && error.code).toBe('ERR_JWK_INVALID');
      expect(String((error as Error).message)).not.toContain(String(pair.toJWK().d));
    }
    expect(() => importJWK(pair.publicKey.toJWK(), { type: 'shared' as 'public' })).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_INVALID_OPTIONS' }),
    );
  });
});

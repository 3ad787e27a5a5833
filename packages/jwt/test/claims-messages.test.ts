/** Claim mismatch messages say what was expected and what the token had (issue 9 item 12). */
import { describe, expect, it } from 'vitest';
import { createVerifier, generateKeyPair, isJoseError, signJWT } from '../src/index.js';

const NOW = 1_800_000_000;
const clock = () => NOW * 1000;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isJoseError(err)) return `${err.code} ${err.message}`;
    throw err;
  }
  return 'OK';
}

describe('JWTClaimInvalid messages', () => {
  it('aud, iss and typ: expected and actual values, JSON-quoted and shortened', async () => {
    const key = await generateKeyPair('ES256');
    const token = signJWT({ iss: 'https://desk', aud: ['rooms', 'pool'], exp: NOW + 60 }, key, {
      typ: 'at+jwt',
    });
    const verify = (opts: object) => () =>
      createVerifier({ keys: [key.publicKey], clock, ...opts }).verify(token);
    expect(messageOf(verify({ audience: 'office' }))).toBe(
      'ERR_JWT_CLAIM_INVALID unexpected aud: expected "office", got ["rooms","pool"]',
    );
    expect(messageOf(verify({ issuer: ['a', 'b'] }))).toBe(
      'ERR_JWT_CLAIM_INVALID unexpected iss: expected one of ["a","b"], got "https://desk"',
    );
    expect(messageOf(verify({ typ: 'JWT' }))).toBe(
      'ERR_JWT_CLAIM_INVALID unexpected typ: expected "jwt", got "at+jwt"',
    );
    const bare = signJWT({ exp: NOW + 60, aud: `x\n${'y'.repeat(300)}` }, key);
    const text = messageOf(() => createVerifier({ keys: [key.publicKey], clock, issuer: 'i' }).verify(bare));
    expect(text).toBe('ERR_JWT_CLAIM_INVALID unexpected iss: expected "i", got none');
    const long = messageOf(() =>
      createVerifier({ keys: [key.publicKey], clock, audience: 'a' }).verify(bare),
    );
    expect(long).not.toContain('\n');
    expect(long.length).toBeLessThan(200);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isS256Challenge, s256Challenge, verifyS256 } from '../src/authorize/pkce.js';

describe('PKCE S256 (RFC 7636)', () => {
  // RFC 7636 Appendix B.
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

  it('matches the RFC 7636 Appendix B example', () => {
    expect(s256Challenge(verifier)).toBe(challenge);
    expect(verifyS256(verifier, challenge)).toBe(true);
    expect(isS256Challenge(challenge)).toBe(true);
  });

  it.each([
    ['another verifier', 'x'.repeat(43)],
    ['the challenge itself (plain method)', challenge],
    ['a verifier one character short', verifier.slice(0, 42)],
    ['a verifier too long', 'a'.repeat(129)],
    ['characters outside the unreserved set', `${verifier.slice(0, 42)}+`],
    ['a non-string', 42],
    ['nothing', undefined],
  ])('refuses %s', (_, presented) => {
    expect(verifyS256(presented, challenge)).toBe(false);
  });

  it('refuses challenges that are not 43 base64url characters', () => {
    for (const bad of ['', `${challenge}=`, challenge.slice(1), `${challenge.slice(0, 42)}+`, 42])
      expect(isS256Challenge(bad)).toBe(false);
    expect(verifyS256(verifier, `${challenge}=`)).toBe(false);
  });

  it('every valid verifier proves its own challenge and no other verifier does', () => {
    const unreserved = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~',
    );
    const verifiers = fc.array(unreserved, { minLength: 43, maxLength: 128 }).map((c) => c.join(''));
    fc.assert(
      fc.property(verifiers, verifiers, (a, b) => {
        expect(verifyS256(a, s256Challenge(a))).toBe(true);
        expect(verifyS256(b, s256Challenge(a))).toBe(a === b);
      }),
    );
  });
});

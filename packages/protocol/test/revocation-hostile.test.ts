import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRevokedByNotBefore } from '../src/index.js';

// `iat` and `notBefore` reach the rule from decoded JSON and from callers of the public export: a
// value that is not a finite number of seconds can prove nothing, so the rule refuses (fails closed).
describe('the revocation rule with values that are not seconds', () => {
  it('refuses a card whose iat is NaN or infinite', () => {
    expect(isRevokedByNotBefore(Number.NaN, 1_700_000_001)).toBe(true);
    expect(isRevokedByNotBefore(Number.POSITIVE_INFINITY, 1_700_000_001)).toBe(true);
    expect(isRevokedByNotBefore(Number.NEGATIVE_INFINITY, 1_700_000_001)).toBe(true);
  });

  it('refuses when iat is not a number at all (a claim read without a type check)', () => {
    for (const iat of ['1800000000', 'x', null, {}, [], true]) {
      expect(isRevokedByNotBefore(iat as unknown as number, 1_700_000_001)).toBe(true);
    }
  });

  it('refuses when notBefore is NaN (a corrupted revocation never lets cards through)', () => {
    expect(isRevokedByNotBefore(1_800_000_000, Number.NaN)).toBe(true);
  });

  it('still compares finite seconds exactly, negative and fractional ones included (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (iat, notBefore) => {
          expect(isRevokedByNotBefore(iat, notBefore)).toBe(iat < notBefore);
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromEpochSeconds, isRevokedByNotBefore, revocationNotBefore, toEpochSeconds } from '../src/index.js';

/** The `iat` a card issued at `ms` carries. */
const iatAt = (ms: number) => Math.floor(ms / 1000);
const instant = fc.integer({ min: 0, max: 4_102_444_800_000 }); // up to 2100

describe('the revocation rule', () => {
  it('refuses a card with no iat, whatever notBefore is', () => {
    expect(isRevokedByNotBefore(undefined, 0)).toBe(true);
    expect(isRevokedByNotBefore(undefined, 1_700_000_000)).toBe(true);
  });

  it('on an exact second: the card of that second is refused, the next second accepted', () => {
    const revokedAt = 1_700_000_000_000;
    const notBefore = revocationNotBefore(revokedAt);
    expect(notBefore).toBe(1_700_000_001);
    expect(isRevokedByNotBefore(iatAt(revokedAt), notBefore)).toBe(true);
    expect(isRevokedByNotBefore(iatAt(revokedAt - 1), notBefore)).toBe(true);
    expect(isRevokedByNotBefore(iatAt(revokedAt + 1000), notBefore)).toBe(false);
    // What a plain ceil would have recorded lets the card of that very millisecond through.
    expect(isRevokedByNotBefore(iatAt(revokedAt), Math.ceil(revokedAt / 1000))).toBe(false);
  });

  it('refuses every card issued at or before the revocation (property)', () => {
    fc.assert(
      fc.property(instant, fc.nat({ max: 10_000_000 }), (revokedAt, earlier) => {
        const issuedAt = Math.max(0, revokedAt - earlier);
        expect(isRevokedByNotBefore(iatAt(issuedAt), revocationNotBefore(revokedAt))).toBe(true);
      }),
    );
  });

  it('accepts every card issued in a later second (property)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 10_000_000 }), (revokedAt, later) => {
        const issuedAt = (iatAt(revokedAt) + 1) * 1000 + later - 1;
        expect(isRevokedByNotBefore(iatAt(issuedAt), revocationNotBefore(revokedAt))).toBe(false);
      }),
    );
  });

  it('is monotonic: a later revocation never accepts what an earlier one refused (property)', () => {
    fc.assert(
      fc.property(instant, instant, fc.nat({ max: 4_102_444_800 }), (a, b, iat) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        if (isRevokedByNotBefore(iat, revocationNotBefore(early))) {
          expect(isRevokedByNotBefore(iat, revocationNotBefore(late))).toBe(true);
        }
      }),
    );
  });
});

describe('time on the wire', () => {
  it('converts milliseconds to the second they fall in and back', () => {
    expect(toEpochSeconds(1_700_000_000_999)).toBe(1_700_000_000);
    expect(fromEpochSeconds(1_700_000_000)).toBe(1_700_000_000_000);
    fc.assert(
      fc.property(instant, (ms) => {
        const s = toEpochSeconds(ms);
        expect(Number.isInteger(s)).toBe(true);
        expect(fromEpochSeconds(s) <= ms && ms < fromEpochSeconds(s + 1)).toBe(true);
      }),
    );
  });
});

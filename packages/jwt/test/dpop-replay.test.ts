/** DpopReplayCache: bounded in memory and time; a forgotten jti is never accepted again. Frozen clock. */
import { describe, expect, it } from 'vitest';
import { DpopReplayCache } from '../src/index.js';
import { codeOf } from './helpers.js';

const NOW = 1_800_000_000;

function frozen(start = NOW) {
  let ms = start * 1000;
  return {
    clock: () => ms,
    advance: (seconds: number) => {
      ms += seconds * 1000;
    },
  };
}

describe('DpopReplayCache', () => {
  it('true the first time, false on a replay; keyed by jkt + jti', () => {
    const { clock } = frozen();
    const cache = new DpopReplayCache({ clock });
    expect(cache.check('jkt-a', 'j1', NOW)).toBe(true);
    expect(cache.check('jkt-a', 'j1', NOW)).toBe(false);
    expect(cache.check('jkt-a', 'j1', NOW - 3)).toBe(false);
    expect(cache.check('jkt-b', 'j1', NOW)).toBe(true);
    expect(cache.check('jkt-a', 'j2', NOW)).toBe(true);
  });

  it('forgets entries once they leave the window (bounded in time)', () => {
    const { clock, advance } = frozen();
    const cache = new DpopReplayCache({ clock, windowSeconds: 60 });
    for (let i = 0; i < 100; i++) cache.check('k', `j${i}`, NOW);
    expect(cache.size).toBe(100);
    advance(62);
    expect(cache.check('k', 'fresh', NOW + 62)).toBe(true);
    expect(cache.size).toBe(1);
    // The old proof is now outside the window: refused, never re-accepted.
    expect(cache.check('k', 'j0', NOW)).toBe(false);
  });

  it('filled far past maxEntries it never grows beyond it (bounded in memory)', () => {
    const { clock, advance } = frozen();
    const cache = new DpopReplayCache({ clock, maxEntries: 50, windowSeconds: 305 });
    for (let i = 0; i < 1000; i++) {
      if (i % 10 === 0) advance(1);
      const iat = NOW + Math.floor(i / 10);
      cache.check('k', `j${i}`, iat);
      expect(cache.size).toBeLessThanOrEqual(50);
    }
    expect(cache.size).toBe(50);
  });

  it('an evicted jti still inside its window is never accepted again (the floor)', () => {
    const { clock, advance } = frozen();
    const cache = new DpopReplayCache({ clock, maxEntries: 3 });
    expect(cache.check('k', 'a', NOW - 10)).toBe(true);
    expect(cache.check('k', 'b', NOW - 5)).toBe(true);
    expect(cache.check('k', 'c', NOW - 1)).toBe(true);
    advance(1);
    // Full: the oldest (a, iat NOW-10) is evicted and the floor rises to its iat.
    expect(cache.check('k', 'd', NOW + 1)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.floor).toBe(NOW - 10);
    expect(cache.check('k', 'a', NOW - 10)).toBe(false);
    // Newer than the floor and unseen: accepted (evicting b, floor NOW-5).
    expect(cache.check('k', 'e', NOW)).toBe(true);
    expect(cache.check('k', 'b', NOW - 5)).toBe(false);
    // Every evicted jti stays refused, whatever order it is retried in.
    for (const jti of ['a', 'b', 'c', 'd', 'e']) {
      const iat = { a: NOW - 10, b: NOW - 5, c: NOW - 1, d: NOW + 1, e: NOW }[jti]!;
      expect(cache.check('k', jti, iat), jti).toBe(false);
    }
  });

  it('evicts the smallest iat first, whatever the arrival order', () => {
    const { clock } = frozen();
    const cache = new DpopReplayCache({ clock, maxEntries: 2 });
    cache.check('k', 'late', NOW + 2);
    cache.check('k', 'early', NOW - 20);
    cache.check('k', 'mid', NOW);
    expect(cache.floor).toBe(NOW - 20);
    expect(cache.check('k', 'late', NOW + 2)).toBe(false);
  });

  it('refuses iat far from now on either side and non-finite input', () => {
    const { clock } = frozen();
    const cache = new DpopReplayCache({ clock, windowSeconds: 60 });
    expect(cache.check('k', 'old', NOW - 61)).toBe(false);
    expect(cache.check('k', 'future', NOW + 61)).toBe(false);
    expect(cache.check('k', 'nan', Number.NaN)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('checks its options', () => {
    expect(codeOf(() => new DpopReplayCache({ maxEntries: 0 }))).toBe('ERR_JOSE_INVALID_OPTIONS');
    expect(codeOf(() => new DpopReplayCache({ windowSeconds: 0 }))).toBe('ERR_JOSE_INVALID_OPTIONS');
    expect(new DpopReplayCache().maxEntries).toBe(100_000);
    expect(new DpopReplayCache().windowSeconds).toBe(305);
  });
});

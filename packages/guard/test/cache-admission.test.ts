import { describe, expect, it } from 'vitest';
import { Doorkeeper, tailHash } from '../src/cache/doorkeeper.js';
import type { CacheEntry } from '../src/cache/verified-token-cache.js';
import { VerifiedTokenCache } from '../src/cache/verified-token-cache.js';
import { GuardError } from '../src/errors.js';

const entry = (sub = 'u', sid = 's'): CacheEntry => ({
  result: { ok: false, error: new GuardError('ERR_GUARD_FORBIDDEN') },
  expiresAtMs: 1e12,
  sub,
  sid,
  jti: undefined,
  iat: 100,
  roles: [],
  used: false,
});

/** Distinct card-like strings: the part that differs is at the end, like a signature. */
const card = (i: number) => `header.payload.${'x'.repeat(40)}${i.toString(36)}`;

describe('Doorkeeper', () => {
  it('says "seen" only the second time, then forgets the card (the cache holds it now)', () => {
    const doorkeeper = new Doorkeeper(100);
    expect(doorkeeper.seenBefore(card(1))).toBe(false);
    expect(doorkeeper.seenBefore(card(2))).toBe(false);
    expect(doorkeeper.seenBefore(card(1))).toBe(true);
    expect(doorkeeper.seenBefore(card(1))).toBe(false);
    expect(doorkeeper.seenBefore(card(2))).toBe(true);
  });

  it('remembers a card for at least one generation of new cards and forgets it after two', () => {
    const doorkeeper = new Doorkeeper(10_000);
    const size = doorkeeper.generationSize;
    expect(size).toBe(8192);
    doorkeeper.seenBefore(card(0));
    for (let i = 1; i < size; i++) doorkeeper.seenBefore(card(i));
    expect(doorkeeper.seenBefore(card(0))).toBe(true);

    doorkeeper.seenBefore(card(0));
    for (let i = 1; i <= 2 * size; i++) doorkeeper.seenBefore(card(1_000_000 + i));
    expect(doorkeeper.seenBefore(card(0))).toBe(false);
  });

  it('holds a fixed table whatever the cache size', () => {
    expect(new Doorkeeper(0).generationSize).toBe(256);
    expect(new Doorkeeper(10_000_000).generationSize).toBe(65_536);
  });

  it('hashes the end of the card and its length', () => {
    const a = `${'a'.repeat(500)}.sig-one`;
    expect(tailHash(a)).toBe(tailHash(`${'a'.repeat(500)}.sig-one`));
    expect(tailHash(a)).not.toBe(tailHash(`${'a'.repeat(500)}.sig-two`));
    expect(tailHash('x.sig')).not.toBe(tailHash('yx.sig'));
    expect(tailHash('')).toBe(tailHash(''));
  });

  it('can be cleared', () => {
    const doorkeeper = new Doorkeeper(100);
    doorkeeper.seenBefore(card(1));
    doorkeeper.clear();
    expect(doorkeeper.seenBefore(card(1))).toBe(false);
  });
});

describe('VerifiedTokenCache admission', () => {
  it("'repeat' admits a card on its second sight only; one-off cards get no entry", () => {
    const cache = new VerifiedTokenCache(100, 'repeat');
    for (let i = 0; i < 1000; i++) {
      if (cache.admits(card(i))) cache.set(card(i), entry(), 0);
    }
    expect(cache.size).toBe(0);
    expect(cache.admits(card(999))).toBe(true);
  });

  it("'always' admits every card, and a cache of size 0 none", () => {
    expect(new VerifiedTokenCache(10, 'always').admits(card(1))).toBe(true);
    expect(new VerifiedTokenCache(10).admits(card(1))).toBe(true);
    const off = new VerifiedTokenCache(0, 'repeat');
    expect(off.admits(card(1))).toBe(false);
    expect(off.admits(card(1))).toBe(false);
  });

  it('stays bounded by maxEntries when every card repeats', () => {
    const cache = new VerifiedTokenCache(50, 'repeat');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 200; i++) if (cache.admits(card(i))) cache.set(card(i), entry(), 0);
    }
    expect(cache.size).toBe(50);
  });

  it('revocation still evicts every admitted entry', () => {
    const cache = new VerifiedTokenCache(100, 'repeat');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10; i++) if (cache.admits(card(i))) cache.set(card(i), entry(`u${i % 2}`), 0);
    }
    expect(cache.size).toBe(10);
    expect(cache.evictWhere((e) => e.sub === 'u1')).toBe(5);
    for (let i = 1; i < 10; i += 2) expect(cache.get(card(i), 1)).toBeUndefined();
    expect(cache.get(card(0), 1)).toBeDefined();
  });
});

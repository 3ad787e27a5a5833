import { describe, expect, it } from 'vitest';
import type { CacheEntry } from '../src/cache/verified-token-cache.js';
import { VerifiedTokenCache } from '../src/cache/verified-token-cache.js';
import { GuardError } from '../src/errors.js';
import { eventMatches, RevocationState } from '../src/feed/revocation-state.js';

const entry = (
  expiresAtMs: number,
  sid = 's',
  sub = 'u',
  jti = 'j',
  iat = 100,
  roles: string[] = [],
): CacheEntry => ({
  result: { ok: false, error: new GuardError('ERR_GUARD_FORBIDDEN') },
  expiresAtMs,
  sub,
  sid,
  jti,
  iat,
  roles,
  used: false,
});

describe('VerifiedTokenCache', () => {
  it('never returns an entry at or after its exp', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', entry(1000), 0);
    expect(cache.get('t', 999)).toBeDefined();
    expect(cache.get('t', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('dead', entry(1000), 1000);
    expect(cache.size).toBe(0);
  });

  it('is bounded and evicts an entry not used since the last pass (second chance)', () => {
    const cache = new VerifiedTokenCache(3);
    cache.set('a', entry(1e9), 0);
    cache.set('b', entry(1e9), 0);
    cache.set('c', entry(1e9), 0);
    cache.get('a', 1);
    cache.set('d', entry(1e9), 1);
    expect(cache.size).toBe(3);
    expect(cache.get('a', 2)).toBeDefined();
    expect(cache.get('b', 2)).toBeUndefined();
    for (let i = 0; i < 100; i++) cache.set(`x${i}`, entry(1e9), 3);
    expect(cache.size).toBe(3);
  });

  it('evicts the entries a revocation matches and can be cleared', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('a', entry(1e9, 's1', 'u1', 'j1', 100), 0);
    cache.set('b', entry(1e9, 's2', 'u1', 'j2', 200), 0);
    cache.set('c', entry(1e9, 's3', 'u2', 'j3', 100), 0);
    const event = { type: 'subject' as const, sub: 'u1', notBefore: 150, at: 150, expiresAt: 9e9 };
    expect(cache.evictWhere((e) => eventMatches(event, e.sub, e.sid, e.jti, e.iat))).toBe(1);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('b', 1)).toBeDefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('can be turned off', () => {
    const cache = new VerifiedTokenCache(0);
    cache.set('a', entry(1e9), 0);
    expect(cache.size).toBe(0);
  });
});

describe('RevocationState', () => {
  it('matches sid, jti and subject not-before, and forgets entries after expiresAt', () => {
    const state = new RevocationState();
    const now = 1_000_000_000;
    state.apply({ type: 'session', sid: 's1', at: now, expiresAt: now + 10 }, now * 1000);
    state.apply({ type: 'token', jti: 'j1', at: now, expiresAt: now + 10 }, now * 1000);
    state.apply({ type: 'subject', sub: 'u1', notBefore: now, at: now, expiresAt: now + 10 }, now * 1000);
    expect(state.isRevoked('x', 's1', undefined, now)).toBe(true);
    expect(state.isRevoked('x', undefined, 'j1', now)).toBe(true);
    expect(state.isRevoked('u1', 's2', 'j2', now - 1)).toBe(true);
    expect(state.isRevoked('u1', 's2', 'j2', now)).toBe(false);
    expect(state.isRevoked('u1', 's2', 'j2', undefined)).toBe(true);
    expect(state.isRevoked('u2', 's2', 'j2', now - 1)).toBe(false);
    state.prune((now + 11) * 1000);
    expect(state.isRevoked('x', 's1', 'j1', 0)).toBe(false);
    expect(state.subjects.size).toBe(0);
  });

  it('keeps entries until expiresAt + the guard leeway, while the guard still accepts the token', () => {
    const now = 1_000_000_000;
    const state = new RevocationState(120);
    state.apply({ type: 'session', sid: 's1', at: now, expiresAt: now + 10 }, now * 1000);
    // Pruned by the issuer already (past expiresAt) but inside the leeway: still applied.
    state.apply({ type: 'token', jti: 'late', at: now - 100, expiresAt: now - 60 }, now * 1000);
    state.apply({ type: 'subject', sub: 'u1', notBefore: now, at: now, expiresAt: now + 10 }, now * 1000);
    state.prune((now + 59) * 1000);
    expect(state.isRevoked('x', undefined, 'late', now)).toBe(true);
    state.prune((now + 10 + 119) * 1000);
    expect(state.isRevoked('x', 's1', undefined, now)).toBe(true);
    expect(state.isRevoked('u1', undefined, undefined, now - 1)).toBe(true);
    expect(state.isRevoked('x', undefined, 'late', now)).toBe(false);
    state.prune((now + 10 + 120) * 1000);
    expect([state.sessions.size, state.tokens.size, state.subjects.size]).toEqual([0, 0, 0]);
    state.apply({ type: 'session', sid: 'gone', at: 1, expiresAt: now - 120 }, now * 1000);
    expect(state.sessions.size).toBe(0);
  });

  it('ignores events that already expired', () => {
    const state = new RevocationState();
    state.apply({ type: 'session', sid: 'old', at: 1, expiresAt: 2 }, 10_000);
    expect(state.sessions.size).toBe(0);
  });
});

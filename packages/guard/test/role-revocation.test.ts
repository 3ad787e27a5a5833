// `role` revocation events: one event refuses every card whose `roles` claim holds the role and
// whose `iat` is before `notBefore` (the `subject` rule).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CacheEntry } from '../src/cache/verified-token-cache.js';
import { VerifiedTokenCache } from '../src/cache/verified-token-cache.js';
import { GuardError } from '../src/errors.js';
import { eventMatches, parseRevocationEvent, RevocationState } from '../src/feed/revocation-state.js';
import type { AuthResult, Guard } from '../src/index.js';
import { createGuard } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { eventually, startTestIssuer } from './support/test-issuer.js';

const NOW = 1_900_000_000; // seconds
const role = (name: string, notBefore = NOW, expiresAt = NOW + 600) =>
  ({ type: 'role', role: name, notBefore, at: NOW, expiresAt }) as const;

describe('parseRevocationEvent: role', () => {
  it('accepts a well-formed role event', () => {
    const event = { cursor: 7, ...role('housekeeping') };
    expect(parseRevocationEvent(event)).toEqual(event);
  });

  it('ignores malformed role events', () => {
    const bad: unknown[] = [
      { type: 'role', notBefore: NOW, at: NOW, expiresAt: NOW + 1 }, // no role
      { type: 'role', role: '', notBefore: NOW, at: NOW, expiresAt: NOW + 1 },
      { type: 'role', role: 7, notBefore: NOW, at: NOW, expiresAt: NOW + 1 },
      { type: 'role', role: ['a'], notBefore: NOW, at: NOW, expiresAt: NOW + 1 },
      { type: 'role', role: 'a', at: NOW, expiresAt: NOW + 1 }, // no notBefore
      { type: 'role', role: 'a', notBefore: '1900000000', at: NOW, expiresAt: NOW + 1 },
      { type: 'role', role: 'a', notBefore: NOW, expiresAt: NOW + 1 }, // no at
      { type: 'role', role: 'a', notBefore: NOW, at: NOW }, // no expiresAt
      { type: 'roles', role: 'a', notBefore: NOW, at: NOW, expiresAt: NOW + 1 },
    ];
    for (const event of bad) expect(parseRevocationEvent(event), JSON.stringify(event)).toBeUndefined();
  });
});

describe('RevocationState: role', () => {
  it('refuses cards holding the role issued before notBefore; others and later cards pass', () => {
    const state = new RevocationState();
    expect(state.isRevoked('u1', 's1', 'j1', NOW - 1, ['housekeeping'])).toBe(false);
    state.apply(role('housekeeping'), NOW * 1000);
    expect(state.roles.size).toBe(1);
    expect(state.isRevoked('u1', 's1', 'j1', NOW - 1, ['guest', 'housekeeping'])).toBe(true);
    expect(state.isRevoked('u1', 's1', 'j1', undefined, ['housekeeping'])).toBe(true); // no iat: revoked
    expect(state.isRevoked('u1', 's1', 'j1', NOW, ['housekeeping'])).toBe(false); // same rule as subject
    expect(state.isRevoked('u1', 's1', 'j1', NOW - 1, ['guest'])).toBe(false);
    expect(state.isRevoked('u1', 's1', 'j1', NOW - 1, [])).toBe(false);
    expect(state.isRevoked('u1', 's1', 'j1', NOW - 1)).toBe(false); // a client card: no roles
  });

  it('keeps the latest notBefore and expiry of repeated events for one role', () => {
    const state = new RevocationState();
    state.apply(role('r', NOW + 10, NOW + 700), NOW * 1000);
    state.apply(role('r', NOW, NOW + 600), NOW * 1000);
    expect(state.roles.get('r')).toEqual([NOW + 10, NOW + 700]);
    expect(state.isRevoked('u', undefined, undefined, NOW + 5, ['r'])).toBe(true);
  });

  it('prunes role entries after expiresAt + leeway, like subject entries, and ignores expired events', () => {
    const state = new RevocationState(30);
    state.apply(role('r', NOW, NOW + 600), NOW * 1000);
    state.prune((NOW + 600 + 29) * 1000);
    expect(state.isRevoked('u', undefined, undefined, NOW - 1, ['r'])).toBe(true);
    state.prune((NOW + 600 + 30) * 1000);
    expect(state.roles.size).toBe(0);
    expect(state.isRevoked('u', undefined, undefined, NOW - 1, ['r'])).toBe(false);
    state.apply(role('late', NOW - 100, NOW - 40), NOW * 1000);
    expect(state.roles.size).toBe(0);
  });

  it('holds one entry per role however many events name it', () => {
    const state = new RevocationState();
    for (let i = 0; i < 1000; i++) state.apply(role(`r${i % 3}`, NOW + i), NOW * 1000);
    expect(state.roles.size).toBe(3);
  });
});

describe('cache eviction on a role event', () => {
  const entry = (iat: number, roles: string[], sub = 'u'): CacheEntry => ({
    result: { ok: false, error: new GuardError('ERR_GUARD_FORBIDDEN') },
    expiresAtMs: 1e15,
    sub,
    sid: 's',
    jti: undefined,
    iat,
    roles,
    used: false,
  });

  it('evicts exactly the cached cards that hold the role and predate the event', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('old-holder', entry(NOW - 5, ['guest', 'housekeeping']), 0);
    cache.set('new-holder', entry(NOW, ['housekeeping']), 0);
    cache.set('other-role', entry(NOW - 5, ['guest']), 0);
    cache.set('client', entry(NOW - 5, [], 'billing'), 0);
    const event = role('housekeeping');
    expect(cache.evictWhere((e) => eventMatches(event, e.sub, e.sid, e.jti, e.iat, e.roles))).toBe(1);
    expect(cache.get('old-holder', 1)).toBeUndefined();
    for (const kept of ['new-holder', 'other-role', 'client']) expect(cache.get(kept, 1)).toBeDefined();
  });
});

describe('a guard following the feed applies role events', () => {
  let issuer: TestIssuer;
  let guard: Guard | undefined;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterEach(async () => {
    await guard?.close();
  });
  afterAll(async () => {
    await issuer.close();
  });
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  const code = (r: AuthResult) => (r.ok ? undefined : r.error.code);

  it('refuses a cached card of the role, keeps other cards, accepts a card issued after', async () => {
    guard = createGuard({ issuer: issuer.url, audience: 'rooms' });
    await guard.ready();
    const now = Math.floor(Date.now() / 1000);
    const holder = issuer.sign({ sub: 'ann', sid: 'sa', roles: ['housekeeping'], iat: now - 10 });
    const other = issuer.sign({ sub: 'bob', sid: 'sb', roles: ['guest'], iat: now - 10 });
    // Each card twice: a card is cached from its second sight (cacheAdmission 'repeat').
    for (let i = 0; i < 2; i++) {
      expect((await guard.verifyRequest(bearer(holder))).ok).toBe(true);
      expect((await guard.verifyRequest(bearer(other))).ok).toBe(true);
    }
    expect(guard.metrics().cacheSize).toBe(2);

    issuer.revoke({ type: 'role', role: 'housekeeping', notBefore: now - 5 });
    await eventually(() => guard!.metrics().revokedRoles === 1);
    expect(guard.metrics().cacheSize).toBe(1); // the holder's entry was evicted
    expect(code(await guard.verifyRequest(bearer(holder)))).toBe('ERR_GUARD_TOKEN_REVOKED');
    expect((await guard.verifyRequest(bearer(other))).ok).toBe(true);
    const fresh = issuer.sign({ sub: 'ann', sid: 'sa', roles: ['housekeeping'], iat: now - 5 });
    expect((await guard.verifyRequest(bearer(fresh))).ok).toBe(true);
  });
});

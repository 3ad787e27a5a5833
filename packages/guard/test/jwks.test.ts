import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GuardError } from '../src/index.js';
import { cacheLifetimeMs } from '../src/jwks/cache-control.js';
import { RemoteJwks } from '../src/jwks/remote-jwks.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterEach(() => {
  issuer.setDown(false);
  issuer.setJwksDelay(0);
  issuer.setJwksBody(undefined);
});
afterAll(() => issuer.close());

function make(overrides: Partial<ConstructorParameters<typeof RemoteJwks>[0]> = {}) {
  let now = 1_000_000;
  const errors: GuardError[] = [];
  const jwks = new RemoteJwks({
    uri: `${issuer.url}/.well-known/jwks.json`,
    algorithms: ['ES256'],
    timeoutMs: 2000,
    maxBytes: 256 * 1024,
    minTtlMs: 30_000,
    maxTtlMs: 3_600_000,
    cooldownMs: 30_000,
    clock: () => now,
    onError: (e) => errors.push(e),
    ...overrides,
  });
  return { jwks, errors, advance: (ms: number) => (now += ms) };
}

const header = () => ({ alg: 'ES256', kid: issuer.keys.at(-1)!.kid });

describe('RemoteJwks', () => {
  it('shares one fetch between concurrent callers (single-flight)', async () => {
    const { jwks } = make();
    issuer.setJwksDelay(50);
    const results = await Promise.all(Array.from({ length: 50 }, () => jwks.refreshForUnknownKid()));
    expect(jwks.fetches).toBe(1);
    expect(results.every((r) => r === true)).toBe(true);
    expect(jwks.getKey(header())?.kid).toBe(issuer.keys.at(-1)!.kid);
  });

  it('refetches for unknown kids at most once per cooldown after the last unknown-kid refetch', async () => {
    const { jwks, advance } = make();
    await jwks.refresh(); // the start-up fetch does not start the cooldown
    expect(await jwks.refreshForUnknownKid()).toBe(false); // fetched, nothing new
    expect(jwks.fetches).toBe(2);
    for (let i = 0; i < 1000; i++) expect(await jwks.refreshForUnknownKid()).toBe(false);
    expect(jwks.fetches).toBe(2);
    advance(29_999);
    await jwks.refreshForUnknownKid();
    expect(jwks.fetches).toBe(2);
    advance(1);
    await jwks.refreshForUnknownKid();
    expect(jwks.fetches).toBe(3);
  });

  it('finds a key published right after the start-up fetch or a scheduled refresh', async () => {
    const { jwks, advance } = make();
    await jwks.refresh();
    const first = await issuer.rotate();
    expect(jwks.getKey({ alg: 'ES256', kid: first.kid })).toBeUndefined();
    expect(await jwks.refreshForUnknownKid()).toBe(true);
    expect(jwks.getKey({ alg: 'ES256', kid: first.kid })?.kid).toBe(first.kid);
    advance(3_600_001); // past the cache lifetime and the cooldown: getKey starts a scheduled refresh
    jwks.getKey(header());
    await jwks.refresh(); // joins it
    const fetches = jwks.fetches;
    const second = await issuer.rotate();
    expect(await jwks.refreshForUnknownKid()).toBe(true);
    expect(jwks.fetches).toBe(fetches + 1);
    expect(jwks.getKey({ alg: 'ES256', kid: second.kid })?.kid).toBe(second.kid);
  });

  it('keeps serving stale keys when the issuer is unreachable, refreshing in the background', async () => {
    const { jwks, errors, advance } = make({ timeoutMs: 500 });
    await jwks.refresh();
    issuer.setDown(true);
    advance(3_600_001); // past the cache lifetime
    expect(jwks.getKey(header())).toBeDefined(); // stale key served; refresh started
    await expect(jwks.refresh()).rejects.toMatchObject({ code: 'ERR_GUARD_JWKS_FETCH_FAILED' });
    expect(jwks.getKey(header())).toBeDefined();
    expect(jwks.failures).toBeGreaterThanOrEqual(1);
    expect(errors[0]?.code).toBe('ERR_GUARD_JWKS_FETCH_FAILED');
  });

  it('enforces the size limit and the timeout', async () => {
    const small = make({ maxBytes: 100 }).jwks;
    await expect(small.refresh()).rejects.toMatchObject({ code: 'ERR_GUARD_JWKS_FETCH_FAILED' });
    expect(small.keySet).toBeUndefined();
    issuer.setJwksBody(JSON.stringify({ keys: [], pad: 'x'.repeat(300 * 1024) }));
    await expect(make().jwks.refresh()).rejects.toMatchObject({ code: 'ERR_GUARD_JWKS_FETCH_FAILED' });
    issuer.setJwksBody(undefined);
    issuer.setJwksDelay(300);
    const slow = make({ timeoutMs: 50 }).jwks;
    await expect(slow.refresh()).rejects.toMatchObject({ code: 'ERR_GUARD_JWKS_FETCH_FAILED' });
  });

  it('reports keys that disappear from the set', async () => {
    let removed = 0;
    const { jwks } = make({ onKeysRemoved: () => removed++ });
    await jwks.refresh();
    const [only] = issuer.keys;
    issuer.setJwksBody(JSON.stringify({ keys: [] }));
    await jwks.refresh();
    expect(removed).toBe(1);
    expect(jwks.getKey({ alg: 'ES256', kid: only!.kid })).toBeUndefined();
  });

  it('rejects a body that is not a JWK Set', async () => {
    issuer.setJwksBody('{"nope":1}');
    await expect(make().jwks.refresh()).rejects.toMatchObject({ code: 'ERR_GUARD_JWKS_FETCH_FAILED' });
  });
});

describe('cacheLifetimeMs', () => {
  it('honours max-age within the bounds', () => {
    expect(cacheLifetimeMs('public, max-age=300, stale-while-revalidate=60', 30_000, 3_600_000)).toBe(
      300_000,
    );
    expect(cacheLifetimeMs('max-age=1', 30_000, 3_600_000)).toBe(30_000);
    expect(cacheLifetimeMs('max-age=999999', 30_000, 3_600_000)).toBe(3_600_000);
    expect(cacheLifetimeMs('no-store', 30_000, 3_600_000)).toBe(30_000);
    expect(cacheLifetimeMs(null, 30_000, 3_600_000)).toBe(30_000);
    expect(cacheLifetimeMs('max-age=abc', 30_000, 3_600_000)).toBe(30_000);
  });
});

/**
 * An outsider's attack on the guard's cache admission (cache/doorkeeper.ts, cacheAdmission): the
 * doorkeeper keeps 32-bit hashes of a card's last 32 characters and its length, so it can be fooled
 * into admitting a card early, which must never change what a card verifies to. Real guard, real
 * test issuer on loopback (JWKS + revocation feed).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tailHash } from '../src/cache/doorkeeper.js';
import type { AuthResult, Guard, GuardOptions, RequestLike } from '../src/index.js';
import { createGuard } from '../src/index.js';
import { type DpopHolder, dpopHolder } from './support/dpop.js';
import type { TestIssuer } from './support/test-issuer.js';
import { eventually, startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
let alice: DpopHolder;
let mallory: DpopHolder;
const guards: Guard[] = [];

/** A guard on the issuer's feed (revocations arrive over the network). */
function feedGuard(extra: Partial<GuardOptions> = {}): Guard {
  const guard = createGuard({ issuer: issuer.url, audience: issuer.audience, ...extra });
  guards.push(guard);
  return guard;
}
/** A guard with the issuer's keys and no feed (for a clock moved by hand). */
function staticGuard(extra: Partial<GuardOptions> = {}): Guard {
  const guard = createGuard({
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    audience: issuer.audience,
    revocation: false,
    ...extra,
  });
  guards.push(guard);
  return guard;
}

const bearer = (token: string): RequestLike => ({ headers: { authorization: `Bearer ${token}` } });
async function code(guard: Guard, request: RequestLike): Promise<string> {
  const r: AuthResult = await guard.verifyRequest(request);
  return r.ok ? 'ok' : r.error.code;
}

/** The card with its payload replaced by one of the same length: same last 32 characters (signature). */
function samePayloadLength(card: string, edit: (claims: Record<string, unknown>) => void): string {
  const [h, p, s] = card.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(claims);
  const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
  expect(forged.length).toBe(p.length);
  return `${h}.${forged}.${s}`;
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  alice = await dpopHolder(issuer);
  mallory = await dpopHolder(issuer);
});
afterEach(async () => {
  await Promise.all(guards.splice(0).map((g) => g.close()));
});
afterAll(async () => {
  await issuer.close();
});

describe('cache admission: revocation', () => {
  for (const admission of ['repeat', 'always'] as const) {
    it(`${admission}: a card seen twice (cached), then revoked by jti, session or subject, is refused`, async () => {
      const guard = feedGuard({ cacheAdmission: admission });
      await guard.ready();
      const byJti = issuer.sign({ jti: `j-${admission}`, sid: `s-a-${admission}` });
      const bySession = issuer.sign({ sid: `s-b-${admission}` });
      const bySubject = issuer.sign({ sub: `u-${admission}`, sid: `s-c-${admission}` });
      for (const card of [byJti, bySession, bySubject]) {
        expect(await code(guard, bearer(card))).toBe('ok');
        expect(await code(guard, bearer(card))).toBe('ok');
      }
      expect(guard.metrics().cacheSize).toBe(3);
      issuer.revoke({ type: 'token', jti: `j-${admission}` });
      issuer.revoke({ type: 'session', sid: `s-b-${admission}` });
      issuer.revoke({ type: 'subject', sub: `u-${admission}`, notBefore: Math.floor(Date.now() / 1000) + 1 });
      await eventually(async () => (await code(guard, bearer(bySubject))) === 'ERR_GUARD_TOKEN_REVOKED');
      for (const card of [byJti, bySession, bySubject]) {
        expect(await code(guard, bearer(card))).toBe('ERR_GUARD_TOKEN_REVOKED');
        // And again: a refusal must not have readmitted it through the doorkeeper.
        expect(await code(guard, bearer(card))).toBe('ERR_GUARD_TOKEN_REVOKED');
      }
    });
  }

  it('cacheSize 0: nothing is cached, every sight is verified, a revoked card is refused', async () => {
    const guard = feedGuard({ cacheSize: 0 });
    await guard.ready();
    const card = issuer.sign({ jti: 'no-cache' });
    for (let i = 0; i < 5; i++) expect(await code(guard, bearer(card))).toBe('ok');
    expect(guard.metrics()).toMatchObject({ cacheSize: 0, verifications: 5, cacheHits: 0 });
    issuer.revoke({ type: 'token', jti: 'no-cache' });
    await eventually(async () => (await code(guard, bearer(card))) === 'ERR_GUARD_TOKEN_REVOKED');
    expect(guard.metrics().cacheSize).toBe(0);
  });
});

describe('cache admission: the doorkeeper hash is not an identity', () => {
  it('a forged card ending in a cached genuine card’s signature (same tail hash) is refused', async () => {
    const guard = staticGuard();
    const genuine = issuer.sign({ sub: 'user-1', scope: 'rooms:read' });
    const forged = samePayloadLength(genuine, (c) => {
      c['sub'] = 'user-9';
      c['scope'] = 'rooms:rite';
    });
    expect(tailHash(forged)).toBe(tailHash(genuine));
    // Genuine seen once (in the doorkeeper only): the forgery's sight is its "second".
    expect(await code(guard, bearer(genuine))).toBe('ok');
    expect(await code(guard, bearer(forged))).toBe('ERR_GUARD_TOKEN_INVALID');
    expect(guard.metrics().cacheSize).toBe(0);
    // Genuine cached now; the forgery still misses the cache and fails its signature, every time.
    expect(await code(guard, bearer(genuine))).toBe('ok');
    expect(await code(guard, bearer(genuine))).toBe('ok');
    for (let i = 0; i < 3; i++) expect(await code(guard, bearer(forged))).toBe('ERR_GUARD_TOKEN_INVALID');
    const hit = await guard.verifyRequest(bearer(genuine));
    expect(hit.ok && hit.auth.sub).toBe('user-1');
  });

  it('a card whose signature is another card’s (same tail) never gets the other card’s cached result', async () => {
    const guard = staticGuard({ cacheAdmission: 'always' });
    const a = issuer.sign({ sub: 'user-1', sid: 'sess-1' });
    const b = issuer.sign({ sub: 'user-1', sid: 'sess-2' });
    const spliced = `${b.slice(0, b.lastIndexOf('.'))}${a.slice(a.lastIndexOf('.'))}`;
    expect(await code(guard, bearer(a))).toBe('ok');
    expect(await code(guard, bearer(spliced))).toBe('ERR_GUARD_TOKEN_INVALID');
    expect(await code(guard, bearer(b))).toBe('ok');
  });
});

describe('cache admission: expiry', () => {
  for (const admission of ['repeat', 'always'] as const) {
    it(`${admission}: a cached card is refused once expired (past the leeway)`, async () => {
      let now = Date.now();
      const guard = staticGuard({ cacheAdmission: admission, clock: () => now });
      const exp = Math.floor(now / 1000) + 60;
      const card = issuer.sign({ exp });
      expect(await code(guard, bearer(card))).toBe('ok');
      expect(await code(guard, bearer(card))).toBe('ok');
      expect(guard.metrics().cacheSize).toBe(1);
      now = exp * 1000 - 1;
      expect(await code(guard, bearer(card))).toBe('ok');
      now = (exp + 6) * 1000;
      expect(await code(guard, bearer(card))).toBe('ERR_GUARD_TOKEN_INVALID');
      expect(await code(guard, bearer(card))).toBe('ERR_GUARD_TOKEN_INVALID');
      expect(guard.metrics().cacheSize).toBe(0);
    });
  }
});

describe('cache admission: DPoP-bound cards', () => {
  const URL_ = 'http://rooms.test/rooms/101';
  const request = (headers: Record<string, string>, method = 'GET', url = '/rooms/101'): RequestLike => ({
    headers: { host: 'rooms.test', ...headers },
    method,
    url,
  });

  for (const admission of ['repeat', 'always'] as const) {
    it(`${admission}: a cached bound card still needs its own key's fresh proof for this request`, async () => {
      const guard = staticGuard({ cacheAdmission: admission });
      const card = alice.card();
      for (let i = 0; i < 3; i++)
        expect(await code(guard, request(alice.headers('GET', URL_, card)))).toBe('ok');
      expect(guard.metrics().cacheSize).toBe(1);
      // Bearer scheme, DPoP scheme without proof, Mallory's proof, a proof for another request,
      // a replayed proof: all refused though the card's own verification is cached.
      expect(await code(guard, request({ authorization: `Bearer ${card}` }))).toBe('ERR_GUARD_TOKEN_BOUND');
      expect(await code(guard, request({ authorization: `DPoP ${card}` }))).not.toBe('ok');
      expect(
        await code(guard, request({ authorization: `DPoP ${card}`, dpop: mallory.proof('GET', URL_, card) })),
      ).not.toBe('ok');
      expect(
        await code(guard, request({ authorization: `DPoP ${card}`, dpop: alice.proof('POST', URL_, card) })),
      ).not.toBe('ok');
      expect(
        await code(
          guard,
          request({
            authorization: `DPoP ${card}`,
            dpop: alice.proof('GET', 'http://rooms.test/rooms/102', card),
          }),
        ),
      ).not.toBe('ok');
      const once = alice.headers('GET', URL_, card);
      expect(await code(guard, request(once))).toBe('ok');
      expect(await code(guard, request(once))).not.toBe('ok');
      // Still fine with a fresh proof afterwards.
      expect(await code(guard, request(alice.headers('GET', URL_, card)))).toBe('ok');
    });
  }

  it('a bound card seen once is not admitted as a Bearer card on its second sight', async () => {
    const guard = staticGuard();
    const card = alice.card();
    expect(await code(guard, request({ authorization: `Bearer ${card}` }))).toBe('ERR_GUARD_TOKEN_BOUND');
    expect(await code(guard, request({ authorization: `Bearer ${card}` }))).toBe('ERR_GUARD_TOKEN_BOUND');
    expect(await code(guard, request({ authorization: `Bearer ${card}` }))).toBe('ERR_GUARD_TOKEN_BOUND');
  });
});

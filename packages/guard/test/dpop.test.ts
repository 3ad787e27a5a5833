import { createDpopProof } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guard, GuardOptions, RequestLike } from '../src/index.js';
import { createGuard, errorResponse, GuardError } from '../src/index.js';
import type { DpopHolder } from './support/dpop.js';
import { dpopHolder } from './support/dpop.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
let alice: DpopHolder;
let mallory: DpopHolder;
const guards: Guard[] = [];

function guardWith(options: Partial<GuardOptions> = {}): Guard {
  const guard = createGuard({
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    audience: issuer.audience,
    revocation: false,
    ...options,
  });
  guards.push(guard);
  return guard;
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  alice = await dpopHolder(issuer);
  mallory = await dpopHolder(issuer);
});
afterAll(async () => {
  for (const g of guards) await g.close();
  await issuer.close();
});

const URL_ = 'http://rooms.test/rooms/101';
const request = (headers: Record<string, string>, method = 'GET', url = '/rooms/101') => ({
  headers: { host: 'rooms.test', ...headers },
  method,
  url,
});
const code = async (guard: Guard, req: RequestLike) => {
  const r = await guard.verifyRequest(req);
  return r.ok ? 'ok' : r.error.code;
};

describe('DPoP at the door', () => {
  it('accepts a bound card with a fresh proof of its key, from the cache too', async () => {
    const guard = guardWith();
    const card = alice.card();
    const first = await guard.verifyRequest(request(alice.headers('GET', URL_, card)));
    expect(first.ok).toBe(true);
    if (first.ok) {
      expect(first.auth.tokenType).toBe('DPoP');
      expect(first.auth.confirmation).toEqual({ jkt: alice.jkt });
    }
    expect(await code(guard, request(alice.headers('GET', URL_, card)))).toBe('ok');
    expect(await code(guard, request(alice.headers('GET', URL_, card)))).toBe('ok');
    // The card was verified twice (cached from its second sight: cacheAdmission 'repeat'), then served
    // from the cache; the proofs are checked each time.
    expect(guard.metrics().verifications).toBe(2);
    expect(guard.metrics().cacheHits).toBe(1);
  });

  it('refuses a bound card as Bearer, without a proof, with another key, or replayed', async () => {
    const guard = guardWith();
    const card = alice.card();
    expect(await code(guard, request({ authorization: `Bearer ${card}` }))).toBe('ERR_GUARD_TOKEN_BOUND');
    expect(
      await code(guard, request({ authorization: `Bearer ${card}`, dpop: alice.proof('GET', URL_, card) })),
    ).toBe('ERR_GUARD_TOKEN_BOUND');
    expect(await code(guard, request({ authorization: `DPoP ${card}` }))).toBe(
      'ERR_GUARD_DPOP_PROOF_INVALID',
    );
    expect(
      await code(guard, request({ authorization: `DPoP ${card}`, dpop: mallory.proof('GET', URL_, card) })),
    ).toBe('ERR_GUARD_DPOP_PROOF_INVALID');
    const headers = alice.headers('GET', URL_, card);
    expect(await code(guard, request(headers))).toBe('ok');
    expect(await code(guard, request(headers))).toBe('ERR_GUARD_DPOP_PROOF_REPLAYED');
    expect(guard.verifyToken(card)).toMatchObject({ ok: false, error: { code: 'ERR_GUARD_TOKEN_BOUND' } });
  });

  it('checks htm, htu, ath and the proof format', async () => {
    const guard = guardWith();
    const card = alice.card();
    const other = alice.card();
    const proofed = (dpop: string, method = 'GET', url = '/rooms/101') =>
      code(guard, request({ authorization: `DPoP ${card}`, dpop }, method, url));
    expect(await proofed(alice.proof('POST', URL_, card))).toBe('ERR_GUARD_DPOP_PROOF_INVALID');
    expect(await proofed(alice.proof('GET', 'http://rooms.test/rooms/102', card))).toBe(
      'ERR_GUARD_DPOP_PROOF_INVALID',
    );
    expect(await proofed(alice.proof('GET', 'https://rooms.test/rooms/101', card))).toBe(
      'ERR_GUARD_DPOP_PROOF_INVALID',
    );
    expect(await proofed(alice.proof('GET', URL_, other))).toBe('ERR_GUARD_DPOP_PROOF_INVALID');
    expect(await proofed(alice.proof('GET', URL_))).toBe('ERR_GUARD_DPOP_PROOF_INVALID');
    expect(await proofed('not.a.proof')).toBe('ERR_GUARD_DPOP_PROOF_INVALID');
    // htu ignores the query and normalises case and default port (RFC 9449 §4.3)
    expect(
      await proofed(alice.proof('GET', 'HTTP://Rooms.Test:80/rooms/101', card), 'GET', '/rooms/101?x=1'),
    ).toBe('ok');
    const several = await code(guard, {
      headers: {
        host: 'rooms.test',
        authorization: `DPoP ${card}`,
        dpop: [alice.proof('GET', URL_, card), alice.proof('GET', URL_, card)] as never,
      },
      method: 'GET',
      url: '/rooms/101',
    });
    expect(several).toBe('ERR_GUARD_DPOP_PROOF_INVALID');
  });

  it('refuses the DPoP scheme with an unbound card; unbound Bearer cards keep working', async () => {
    const guard = guardWith();
    const plain = issuer.sign();
    expect(await code(guard, request({ authorization: `Bearer ${plain}` }))).toBe('ok');
    expect(
      await code(guard, request({ authorization: `DPoP ${plain}`, dpop: alice.proof('GET', URL_, plain) })),
    ).toBe('ERR_GUARD_TOKEN_NOT_BOUND');
    expect(await code(guard, request({ authorization: 'DPoP' }))).toBe('ERR_GUARD_REQUEST_INVALID');
  });

  it('with dpop: false the DPoP scheme is not read and bound cards are refused', async () => {
    const guard = guardWith({ dpop: false });
    const card = alice.card();
    expect(await code(guard, request(alice.headers('GET', URL_, card)))).toBe('ERR_GUARD_TOKEN_MISSING');
    expect(await code(guard, request({ authorization: `Bearer ${card}` }))).toBe('ERR_GUARD_TOKEN_BOUND');
  });

  it('takes htu from publicUrl, or from X-Forwarded-* with trustProxy, or from a full URL', async () => {
    const card = alice.card();
    const pub = guardWith({ publicUrl: 'https://rooms.example.com/api/' });
    const proof = (url: string) => ({ authorization: `DPoP ${card}`, dpop: alice.proof('GET', url, card) });
    expect(await code(pub, request(proof('https://rooms.example.com/api/rooms/101')))).toBe('ok');
    expect(await code(pub, request(proof(URL_)))).toBe('ERR_GUARD_DPOP_PROOF_INVALID');
    const plain = guardWith();
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'rooms.example.com' };
    expect(
      await code(plain, request({ ...proof('https://rooms.example.com/rooms/101'), ...forwarded })),
    ).toBe('ERR_GUARD_DPOP_PROOF_INVALID');
    const trusting = guardWith({ trustProxy: true });
    expect(
      await code(trusting, request({ ...proof('https://rooms.example.com/rooms/101'), ...forwarded })),
    ).toBe('ok');
    const full = await plain.verifyRequest(
      new Request('http://127.0.0.1:9/rooms/101', { headers: proof('http://127.0.0.1:9/rooms/101') }),
    );
    expect(full.ok).toBe(true);
  });

  it('server nonces: use_dpop_nonce with a DPoP-Nonce, then accepted; a shared secret works across guards', async () => {
    let now = Date.UTC(2026, 0, 1);
    const secret = 'a-shared-nonce-secret-of-32-chars-or-more';
    const clock = () => now;
    const one = guardWith({ dpop: { nonce: { secret, windowSeconds: 60 } }, clock });
    const two = guardWith({ dpop: { nonce: { secret, windowSeconds: 60 } }, clock });
    const card = issuer.sign({
      cnf: { jkt: alice.jkt },
      exp: Math.floor(now / 1000) + 3600,
      iat: Math.floor(now / 1000),
      nbf: Math.floor(now / 1000),
    });
    const proofAt = (nonce?: string) => ({
      authorization: `DPoP ${card}`,
      dpop: createProofAt(now, nonce),
    });
    const createProofAt = (at: number, nonce?: string) =>
      createDpopProof(alice.key, {
        method: 'GET',
        url: URL_,
        accessToken: card,
        clock: () => at,
        ...(nonce ? { nonce } : {}),
      });
    const first = await one.verifyRequest(request(proofAt()));
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.error.code).toBe('ERR_GUARD_DPOP_NONCE_REQUIRED');
    const answer = errorResponse(first.error, 'keycard');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toContain('DPoP realm="keycard", error="use_dpop_nonce"');
    const nonce = answer.headers['dpop-nonce']!;
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await code(one, request(proofAt(nonce)))).toBe('ok');
    expect(await code(two, request(proofAt(nonce)))).toBe('ok');
    now += 60_000; // the next window: still accepted
    expect(await code(one, request(proofAt(nonce)))).toBe('ok');
    now += 60_000; // two windows on: stale
    expect(await code(one, request(proofAt(nonce)))).toBe('ERR_GUARD_DPOP_NONCE_REQUIRED');
    expect(await code(one, request(proofAt('x'.repeat(22))))).toBe('ERR_GUARD_DPOP_NONCE_REQUIRED');
  });

  it('answers RFC 9449 challenges: invalid_dpop_proof on the DPoP challenge, algs beside Bearer', () => {
    const guard = guardWith({ dpop: { algorithms: ['ES256', 'EdDSA'] } });
    expect(guard.options.dpop?.algorithms).toEqual(['ES256', 'EdDSA']);
    const algs = { dpopAlgorithms: guard.options.dpop?.algorithms };
    const replay = errorResponse(new GuardError('ERR_GUARD_DPOP_PROOF_REPLAYED'), 'k', algs);
    expect(replay.headers['www-authenticate']).toBe(
      'Bearer realm="k", DPoP realm="k", error="invalid_dpop_proof", algs="ES256 EdDSA"',
    );
    const missing = errorResponse(new GuardError('ERR_GUARD_TOKEN_MISSING'), 'k', algs);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="k", DPoP realm="k", algs="ES256 EdDSA"');
    const bad = errorResponse(new GuardError('ERR_GUARD_TOKEN_INVALID'), 'k', algs);
    expect(bad.headers['www-authenticate']).toBe(
      'Bearer realm="k", error="invalid_token", DPoP realm="k", algs="ES256 EdDSA"',
    );
    expect(() => guardWith({ dpop: { algorithms: ['HS256' as never] } })).toThrow(/dpop.algorithms/);
    expect(() => guardWith({ dpop: { nonce: { secret: 'short' } } })).toThrow(/dpop.nonce.secret/);
  });
});

import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJWT } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, authorize } from '../src/adapters/node.js';
import type { Guard, GuardOptions, Policy } from '../src/index.js';
import { createGuard, createServiceClient, requireDelegation } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

// Unit tests against the test issuer; the end-to-end run against packages/server is the lead's.
let issuer: TestIssuer;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  for (const close of closers) await close();
  await issuer.close();
});

/** A guarded node:http service answering `{ sub, tokenType, actor }`; records what it received. */
async function door(
  audience: string,
  options: Partial<GuardOptions> = {},
  policies: Policy<IncomingMessage>[] = [],
) {
  const guard: Guard = createGuard({
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    audience,
    revocation: false,
    ...options,
  });
  const auth = authenticate(guard);
  const allowed = authorize(...policies);
  const seen: { authorization?: string; dpop?: string }[] = [];
  const server = createServer(async (req, res) => {
    seen.push({ authorization: req.headers.authorization, dpop: req.headers.dpop as string | undefined });
    const ctx = await auth(req, res);
    if (ctx === null || !(await allowed(req, res, ctx))) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sub: ctx.sub, tokenType: ctx.tokenType, actor: ctx.actor ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    await guard.close();
    await new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const svc = { issuer: '', clientId: 'svc', clientSecret: 'svc-secret' };

describe('service client with DPoP', () => {
  it('binds its cards to an in-memory key and sends a proof on every call', async () => {
    const rooms = await door('rooms');
    const client = createServiceClient({ ...svc, issuer: issuer.url, scope: 'rooms:read', dpop: true });
    const token = await client.getToken();
    const cnf = decodeJWT(token).payload['cnf'] as { jkt: string };
    expect(cnf.jkt).toBe(issuer.lastTokenJkt);
    const first = await client.fetch(`${rooms.url}/rooms/1`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ sub: 'svc', tokenType: 'DPoP', actor: null });
    const second = await client.fetch(`${rooms.url}/rooms/1?again=1`, { method: 'post' });
    expect(second.status).toBe(200);
    const [a, b] = rooms.seen.slice(-2);
    expect(a!.authorization).toBe(`DPoP ${token}`);
    expect(a!.dpop).not.toBe(b!.dpop); // a fresh proof per request
  });

  it('follows use_dpop_nonce at the token endpoint and at the door', async () => {
    issuer.tokenNonce = 'token-endpoint-nonce';
    try {
      const rooms = await door('rooms', { dpop: { nonce: true } });
      const client = createServiceClient({ ...svc, issuer: issuer.url, scope: 'rooms:read', dpop: true });
      const res = await client.fetch(`${rooms.url}/rooms/1`);
      expect(res.status).toBe(200);
      // first try without the door's nonce, then with it
      expect(rooms.seen).toHaveLength(2);
      const again = await client.fetch(`${rooms.url}/rooms/2`);
      expect(again.status).toBe(200);
      expect(rooms.seen).toHaveLength(3); // the nonce is remembered per origin
    } finally {
      issuer.tokenNonce = undefined;
    }
  });
});

describe('service client token exchange (RFC 8693)', () => {
  const guestCard = () =>
    issuer.sign({ sub: 'alice', sid: 'session-9', aud: 'rooms', scope: 'rooms:read billing:charge' });

  it('exchanges a guest card for a billing card acting for her, cached per (jti, audience)', async () => {
    let now = Date.now();
    const billing = await door('billing', {}, [requireDelegation('svc')]);
    const client = createServiceClient({ ...svc, issuer: issuer.url, clock: () => now });
    const card = guestCard();
    const before = issuer.counts.exchange;
    const [one, two] = await Promise.all([
      client.exchange(card, { audience: 'billing', scope: 'billing:charge' }),
      client.exchange(card, { audience: 'billing', scope: 'billing:charge' }),
    ]);
    expect(issuer.counts.exchange - before).toBe(1);
    expect(two.accessToken).toBe(one.accessToken);
    const claims = decodeJWT(one.accessToken).payload;
    expect(claims).toMatchObject({ sub: 'alice', sid: 'session-9', aud: 'billing', act: { sub: 'svc' } });
    expect(one.tokenType).toBe('Bearer');
    const res = await one.fetch(`${billing.url}/charges`, { method: 'POST', body: '{}' });
    expect(await res.json()).toEqual({
      sub: 'alice',
      tokenType: 'Bearer',
      actor: { sub: 'svc', chain: ['svc'] },
    });
    expect((await client.exchange(card, { audience: 'billing', scope: 'billing:charge' })).accessToken).toBe(
      one.accessToken,
    );
    expect(issuer.counts.exchange - before).toBe(1);
    // another subject card: another exchange
    await client.exchange(guestCard(), { audience: 'billing', scope: 'billing:charge' });
    expect(issuer.counts.exchange - before).toBe(2);
    now += issuer.tokenLifetime * 1000 * 0.81; // shortly before expiry: exchanged again
    await client.exchange(card, { audience: 'billing', scope: 'billing:charge' });
    expect(issuer.counts.exchange - before).toBe(3);
  });

  it('is refused without a rule, with a wider scope, or for a card of the wrong audience', async () => {
    const client = createServiceClient({ ...svc, issuer: issuer.url });
    await expect(client.exchange(guestCard(), { audience: 'office' })).rejects.toMatchObject({
      code: 'ERR_GUARD_EXCHANGE_REFUSED',
      reason: 'unauthorized_client',
      status: 403,
    });
    await expect(
      client.exchange(guestCard(), { audience: 'billing', scope: 'billing:charge billing:refund' }),
    ).rejects.toMatchObject({ code: 'ERR_GUARD_EXCHANGE_REFUSED', reason: 'invalid_scope' });
    const poolCard = issuer.sign({ aud: 'pool', scope: 'billing:charge' });
    await expect(client.exchange(poolCard, { audience: 'billing' })).rejects.toMatchObject({
      code: 'ERR_GUARD_EXCHANGE_REFUSED',
    });
    const offline = createServiceClient({ ...svc, tokenEndpoint: 'http://127.0.0.1:1/oauth/token' });
    await expect(offline.exchange(guestCard(), { audience: 'billing' })).rejects.toMatchObject({
      code: 'ERR_GUARD_CLIENT_TOKEN_FAILED',
    });
  });

  it('with dpop: true the exchanged card is bound to the client key and presented with proofs', async () => {
    const billing = await door('billing', {}, [requireDelegation('svc')]);
    const client = createServiceClient({ ...svc, issuer: issuer.url, dpop: true });
    const exchanged = await client.exchange(guestCard(), { audience: 'billing' });
    expect(exchanged.tokenType).toBe('DPoP');
    expect(exchanged.scope).toBe('billing:charge');
    const res = await exchanged.fetch(`${billing.url}/charges`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'alice', tokenType: 'DPoP' });
    const stolen = await fetch(`${billing.url}/charges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${exchanged.accessToken}` },
    });
    expect(stolen.status).toBe(401);
  });
});

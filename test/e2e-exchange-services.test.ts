// Token exchange (RFC 8693) across two real guarded services and the real server: the rooms service
// (Express, audience `rooms`) trades a guest's card for a `billing` card on the guest's behalf with the
// guard's service client, and calls the billing service (Fastify, audience `billing`), which accepts
// only cards delegated by `rooms-service`.
import { createServer as createHttpServer } from 'node:http';
import type { AuthContext, ServiceClient } from '@keycard/guard';
import { createServiceClient, isGuardError, requireDelegation, requireScopes } from '@keycard/guard';
import { authenticate as expressAuth } from '@keycard/guard/express';
import { authorize, keycard } from '@keycard/guard/fastify';
import { createClient, createUser } from '@keycard/server';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hotel } from './support/hotel.js';
import { claimsOf, listen, openHotel, PASSWORD, postJson, until401 } from './support/hotel.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
let hotel: Hotel;
let roomsUrl: string;
let billingUrl: string;
const secrets: Record<string, string> = {};
const service = (id: string): ServiceClient =>
  createServiceClient({ issuer: hotel.issuer, clientId: id, clientSecret: secrets[id]! });

/** What the billing service saw. */
interface Charge {
  sub: string;
  sid: string | undefined;
  subjectType: AuthContext['subjectType'];
  actor: AuthContext['actor'];
  audience: string[];
  scopes: string[];
}

beforeAll(async () => {
  hotel = await openHotel('exchange');
  const { ctx } = hotel;
  const audiences = [
    { id: 'rooms', scopes: ['rooms:read', 'billing:charge'] },
    { id: 'billing', scopes: ['billing:charge', 'billing:refund'] },
    { id: 'pool', scopes: ['pool:swim'] },
  ];
  for (const a of audiences)
    await ctx.storage.audiences.upsert({ ...a, name: a.id, uri: null, createdAt: 0 });
  await ctx.storage.roles.upsert({
    name: 'guest',
    scopes: ['rooms:read', 'billing:charge', 'billing:refund', 'pool:swim'],
    createdAt: 0,
  });
  ctx.directory.invalidate();
  await createClient(ctx, {
    id: 'hotel-app',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['keycard', 'rooms', 'pool'],
    scopes: ['rooms:read', 'billing:charge', 'pool:swim'],
  });
  const rule = [{ from: 'rooms', to: 'billing', scopes: ['billing:charge'] }];
  for (const [id, grants, tokenExchange, audienceList] of [
    ['rooms-service', [EXCHANGE], rule, []],
    ['spa-service', [EXCHANGE], rule, []], // allowed to exchange too, but billing does not trust it
    ['till', ['client_credentials'], [], ['billing']], // a plain client card for billing: no act
  ] as const) {
    const { secret } = await createClient(ctx, {
      id,
      type: 'confidential',
      grants: [...grants],
      tokenExchange: [...tokenExchange],
      audiences: [...audienceList],
      scopes: audienceList.length > 0 ? ['billing:charge'] : [],
    });
    secrets[id] = secret!;
  }
  await createUser(ctx, { username: 'alice', password: PASSWORD, roles: ['guest'] });

  // Billing (Fastify): charges only on a guest's behalf, made by the rooms service.
  const billing = Fastify();
  await billing.register(keycard, { guard: hotel.guard('billing') });
  billing.post(
    '/charges',
    { preHandler: authorize(requireDelegation('rooms-service'), requireScopes('billing:charge')) },
    async (req): Promise<Charge> => {
      const auth = req.auth!;
      return {
        sub: auth.sub,
        sid: auth.sid,
        subjectType: auth.subjectType,
        actor: auth.actor,
        audience: [...auth.audience],
        scopes: [...auth.scopes],
      };
    },
  );
  billingUrl = await billing.listen({ port: 0, host: '127.0.0.1' });
  hotel.onClose(() => billing.close());

  // Rooms (Express): the minibar charges the guest's bill through an exchanged card.
  const roomsClient = service('rooms-service');
  const rooms = express();
  rooms.post('/minibar', expressAuth(hotel.guard('rooms')), async (req, res) => {
    const audience = typeof req.query['audience'] === 'string' ? req.query['audience'] : 'billing';
    const scope = typeof req.query['scope'] === 'string' ? req.query['scope'] : undefined;
    try {
      const card = await roomsClient.exchange(req.auth!.token, { audience, ...(scope ? { scope } : {}) });
      const charged = await card.fetch(`${billingUrl}/charges`, { method: 'POST' });
      res.status(charged.status).json(await charged.json());
    } catch (error) {
      if (!isGuardError(error)) throw error;
      res.status(error.status).json({ code: error.code, reason: error.reason });
    }
  });
  roomsUrl = await listen(hotel, createHttpServer(rooms));
});

afterAll(() => hotel?.close());

/** Alice signs in (session granted rooms, pool, keycard): her rooms card, a pool card and an API card. */
async function signIn() {
  const login = await postJson(`${hotel.issuer}/api/login`, {
    username: 'alice',
    password: PASSWORD,
    client_id: 'hotel-app',
    audience: 'rooms pool keycard',
  });
  expect(login.status).toBe(200);
  let refreshToken = login.body['refresh_token'] as string;
  const mint = async (audience: string) => {
    const next = await postJson(`${hotel.issuer}/api/refresh`, {
      refresh_token: refreshToken,
      client_id: 'hotel-app',
      audience,
    });
    expect(next.status).toBe(200);
    refreshToken = (next.body['refresh_token'] as string | undefined) ?? refreshToken;
    return next.body['access_token'] as string;
  };
  return {
    rooms: login.body['access_token'] as string,
    sessionId: login.body['session_id'] as string,
    pool: await mint('pool'),
    api: await mint('keycard'),
  };
}

const minibar = (card: string, query = '') =>
  fetch(`${roomsUrl}/minibar${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${card}` },
    signal: AbortSignal.timeout(10_000),
  });

describe('token exchange across two guarded services', () => {
  it('rooms exchanges the guest card for a billing card: billing sees the guest as sub and rooms-service as actor', async () => {
    const alice = await signIn();
    const res = await minibar(alice.rooms);
    expect(res.status).toBe(200);
    const seen = (await res.json()) as Charge;
    expect(seen).toEqual({
      sub: claimsOf(alice.rooms)['sub'],
      sid: alice.sessionId,
      subjectType: 'user',
      actor: { sub: 'rooms-service', chain: ['rooms-service'] },
      audience: ['billing'],
      scopes: ['billing:charge'],
    });
  });

  it('refused without a rule, with a wider scope, and with a subject card for the wrong audience', async () => {
    const alice = await signIn();
    const noRule = await minibar(alice.rooms, '?audience=pool');
    expect(noRule.status).toBe(403);
    expect(await noRule.json()).toEqual({
      code: 'ERR_GUARD_EXCHANGE_REFUSED',
      reason: 'unauthorized_client',
    });
    const wider = await minibar(alice.rooms, `?scope=${encodeURIComponent('billing:charge billing:refund')}`);
    expect(wider.status).toBe(403);
    expect(await wider.json()).toEqual({ code: 'ERR_GUARD_EXCHANGE_REFUSED', reason: 'invalid_scope' });
    // A pool card never reaches the rooms service's handler (wrong door); offered for exchange
    // directly, the issuer refuses it too: rooms-service may exchange only rooms cards.
    expect((await minibar(alice.pool)).status).toBe(401);
    for (const subject of [alice.pool, alice.api]) {
      const refused = await service('rooms-service')
        .exchange(subject, { audience: 'billing' })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(isGuardError(refused) && [refused.code, refused.reason]).toEqual([
        'ERR_GUARD_EXCHANGE_REFUSED',
        'unauthorized_client',
      ]);
    }
  });

  it('billing refuses the guest card itself, a card exchanged by another service, and a plain client card', async () => {
    const alice = await signIn();
    const charge = (card: string) =>
      fetch(`${billingUrl}/charges`, { method: 'POST', headers: { authorization: `Bearer ${card}` } });
    expect((await charge(alice.rooms)).status).toBe(401); // a rooms card is not a billing card
    const bySpa = await service('spa-service').exchange(alice.rooms, { audience: 'billing' });
    expect(claimsOf(bySpa.accessToken)['act']).toEqual({ sub: 'spa-service' });
    const spa = await charge(bySpa.accessToken);
    expect(spa.status).toBe(403);
    expect(((await spa.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_GUARD_DELEGATION_REQUIRED',
    );
    const till = createServiceClient({
      issuer: hotel.issuer,
      clientId: 'till',
      clientSecret: secrets['till']!,
      audience: 'billing',
      scope: 'billing:charge',
    });
    const plain = await till.fetch(`${billingUrl}/charges`, { method: 'POST' });
    expect(plain.status).toBe(403);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_GUARD_DELEGATION_REQUIRED',
    );
  });

  it('a logout of the guest session reaches the exchanged card at billing through the feed (sid carried)', async () => {
    const alice = await signIn();
    const exchanged = await service('rooms-service').exchange(alice.rooms, { audience: 'billing' });
    expect(claimsOf(exchanged.accessToken)['sid']).toBe(alice.sessionId);
    const charge = () => exchanged.fetch(`${billingUrl}/charges`, { method: 'POST' });
    expect((await charge()).status).toBe(200);
    // The card outlives the wait below by far: a refusal within it is the revocation, not expiry.
    expect(exchanged.expiresAtMs - Date.now()).toBeGreaterThan(120_000);
    const out = await postJson(`${hotel.issuer}/api/logout`, {}, { authorization: `Bearer ${alice.api}` });
    expect(out.status).toBe(204);
    await until401(charge);
    await until401(() => minibar(alice.rooms));
  });
});

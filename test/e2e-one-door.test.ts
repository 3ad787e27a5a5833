// One card, one door, one holder, across real services: a card for `rooms` opens rooms only (not pool,
// not the server's own API); a client card never passes a user policy; a DPoP-bound card needs a fresh
// proof of its key at every framework adapter and at `keycard gateway`.
import type { IncomingMessage } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import type { Guard } from '@keycard/guard';
import { createServiceClient, requireOwner } from '@keycard/guard';
import { authenticate as expressAuth, authorize as expressAuthorize } from '@keycard/guard/express';
import { keycard } from '@keycard/guard/fastify';
import { withAuth } from '@keycard/guard/fetch';
import { runGateway } from '@keycard/guard/gateway';
import type { KeycardEnv } from '@keycard/guard/hono';
import { authenticate as honoAuth } from '@keycard/guard/hono';
import { authenticate as nodeAuth } from '@keycard/guard/node';
import type { PrivateKey } from '@keycard/jwt';
import { calculateThumbprint, createDpopProof, generateKeyPair } from '@keycard/jwt';
import { createClient, createUser } from '@keycard/server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hotel } from './support/hotel.js';
import { claimsOf, listen, openHotel, PASSWORD, postJson, until401 } from './support/hotel.js';

let hotel: Hotel;
/** Every door for audience `rooms`, by the adapter in front of it; each answers GET /door. */
const doors: Record<string, string> = {};
let poolUrl: string;
let ownerUrl: string;
let aliceKey: PrivateKey;
let malloryKey: PrivateKey;

const body = (sub: string) => JSON.stringify({ sub });

async function roomsDoors(): Promise<void> {
  const guard = (): Guard => hotel.guard('rooms');

  const ex = express();
  ex.get('/door', expressAuth(guard()), (req, res) => {
    res.json({ sub: req.auth!.sub });
  });
  doors['express'] = await listen(hotel, createHttpServer(ex));

  const fa = Fastify();
  await fa.register(keycard, { guard: guard() });
  fa.get('/door', async (req) => ({ sub: req.auth!.sub }));
  doors['fastify'] = await fa.listen({ port: 0, host: '127.0.0.1' });
  hotel.onClose(() => fa.close());

  const serveFetch = (fetchHandler: (request: Request) => Response | Promise<Response>) =>
    new Promise<string>((resolve) => {
      const s = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
      hotel.onClose(() => new Promise((r) => s.close(r)));
    });
  const hono = new Hono<KeycardEnv>();
  hono.use('*', honoAuth(guard()));
  hono.get('/door', (c) => c.json({ sub: c.get('auth').sub }));
  doors['hono'] = await serveFetch(hono.fetch);
  doors['fetch'] = await serveFetch(withAuth(guard(), (_request, auth) => new Response(body(auth.sub))));

  const auth = nodeAuth(guard());
  doors['node'] = await listen(
    hotel,
    createHttpServer(async (req, res) => {
      const ctx = await auth(req, res);
      if (ctx !== null) res.end(body(ctx.sub));
    }),
  );

  const upstream = await listen(
    hotel,
    createHttpServer((req: IncomingMessage, res) => res.end(body(String(req.headers['x-keycard-sub'])))),
  );
  const gateway = await runGateway([
    '--upstream',
    upstream,
    '--issuer',
    hotel.issuer,
    '--audience',
    'rooms',
    '--port',
    '0',
  ]);
  hotel.onClose(() => gateway.close());
  doors['gateway'] = gateway.url;
}

beforeAll(async () => {
  hotel = await openHotel('one-door');
  const { ctx } = hotel;
  for (const [id, scopes] of [
    ['rooms', ['rooms:read']],
    ['pool', ['pool:swim']],
  ] as const) {
    await ctx.storage.audiences.upsert({ id, name: id, scopes: [...scopes], uri: null, createdAt: 0 });
  }
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read', 'pool:swim'], createdAt: 0 });
  ctx.directory.invalidate();
  await createClient(ctx, {
    id: 'hotel-app',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['keycard', 'rooms', 'pool'],
    scopes: ['admin', 'rooms:read', 'pool:swim'],
  });
  await createUser(ctx, { username: 'alice', password: PASSWORD, roles: ['guest'] });
  await createUser(ctx, { username: 'carol', password: PASSWORD, roles: ['guest', 'manager'] });
  aliceKey = await generateKeyPair('ES256');
  malloryKey = await generateKeyPair('ES256');

  await roomsDoors();
  const pool = express();
  pool.get('/swim', expressAuth(hotel.guard('pool')), (req, res) => {
    res.json({ sub: req.auth!.sub });
  });
  poolUrl = await listen(hotel, createHttpServer(pool));
  const owner = express();
  owner.get(
    '/rooms/:owner',
    expressAuth(hotel.guard('rooms')),
    expressAuthorize(requireOwner((req) => req.params['owner'] as string | undefined)),
    (req, res) => {
      res.json({ sub: req.auth!.sub });
    },
  );
  ownerUrl = await listen(hotel, createHttpServer(owner));
});

afterAll(() => hotel?.close());

/** Signs in for `audience` (with a DPoP proof when `key` is given); also mints a keycard API card. */
async function signIn(username: string, audience: string, key?: PrivateKey) {
  const url = `${hotel.issuer}/api/login`;
  const login = await postJson(
    url,
    { username, password: PASSWORD, client_id: 'hotel-app', audience: `${audience} keycard` },
    key === undefined ? {} : { dpop: createDpopProof(key, { method: 'POST', url }) },
  );
  expect(login.status).toBe(200);
  const refreshUrl = `${hotel.issuer}/api/refresh`;
  const api = await postJson(
    refreshUrl,
    { refresh_token: login.body['refresh_token'], client_id: 'hotel-app', audience: 'keycard' },
    key === undefined ? {} : { dpop: createDpopProof(key, { method: 'POST', url: refreshUrl }) },
  );
  expect(api.status).toBe(200);
  return {
    card: login.body['access_token'] as string,
    tokenType: login.body['token_type'] as string,
    api: api.body['access_token'] as string,
  };
}

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(url, { method, headers, signal: AbortSignal.timeout(5000) });

describe('a card for rooms opens rooms only', () => {
  it('carol’s rooms card is refused at pool, at /api/me and at /api/admin/*, and creates no account', async () => {
    const carol = await signIn('carol', 'rooms');
    expect(claimsOf(carol.card)['aud']).toBe('rooms');
    expect((await get(`${doors['express']}/door`, { authorization: `Bearer ${carol.card}` })).status).toBe(
      200,
    );
    const stolen = { authorization: `Bearer ${carol.card}` };
    expect((await get(`${poolUrl}/swim`, stolen)).status).toBe(401);
    expect((await get(`${hotel.issuer}/api/me`, stolen)).status).toBe(401);
    expect((await get(`${hotel.issuer}/api/admin/users`, stolen)).status).toBe(401);
    const create = await postJson(
      `${hotel.issuer}/api/admin/users`,
      { username: 'mallory', password: PASSWORD, roles: ['manager'] },
      stolen,
    );
    expect(create.status).toBe(401);
    // Her keycard card does open the API (so the refusals above are about the card, not the account).
    const own = { authorization: `Bearer ${carol.api}` };
    expect((await get(`${hotel.issuer}/api/me`, own)).status).toBe(200);
    const users = await get(`${hotel.issuer}/api/admin/users`, own);
    expect(users.status).toBe(200);
    const names = ((await users.json()) as { users: { username: string }[] }).users.map((u) => u.username);
    expect(names).not.toContain('mallory');
    expect((await get(`${doors['express']}/door`, own)).status).toBe(401); // and the API card opens no door
  });

  it('a DPoP-bound rooms card with a valid proof is still refused at /api/me', async () => {
    const alice = await signIn('alice', 'rooms', aliceKey);
    expect(alice.tokenType).toBe('DPoP');
    const url = `${hotel.issuer}/api/me`;
    const res = await get(url, {
      authorization: `DPoP ${alice.card}`,
      dpop: createDpopProof(aliceKey, { method: 'GET', url, accessToken: alice.card }),
    });
    expect(res.status).toBe(401);
  });

  it('no client card passes requireOwner, for any user, even one whose id is its own sub', async () => {
    const alice = await signIn('alice', 'rooms');
    const aliceId = claimsOf(alice.card)['sub'] as string;
    await expect(
      createClient(hotel.ctx, { id: aliceId, type: 'confidential', grants: ['client_credentials'] }),
    ).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    const { secret } = await createClient(hotel.ctx, {
      id: 'robot',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['rooms'],
      scopes: ['rooms:read'],
    });
    const robot = createServiceClient({ issuer: hotel.issuer, clientId: 'robot', clientSecret: secret! });
    expect((await robot.fetch(`${doors['express']}/door`)).status).toBe(200); // a valid rooms card
    for (const owner of [aliceId, 'robot']) {
      const res = await robot.fetch(`${ownerUrl}/rooms/${owner}`);
      expect(res.status, owner).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_GUARD_USER_REQUIRED');
    }
    const own = await get(`${ownerUrl}/rooms/${aliceId}`, { authorization: `Bearer ${alice.card}` });
    expect(own.status).toBe(200);
  });
  it('disabling a user closes every door to her cards through the feed, long before they expire', async () => {
    await createUser(hotel.ctx, { username: 'dave', password: PASSWORD, roles: ['guest'] });
    const dave = await signIn('dave', 'rooms');
    const carol = await signIn('carol', 'rooms');
    const daveId = claimsOf(dave.card)['sub'] as string;
    const open = (name: string) => () => get(`${doors[name]}/door`, { authorization: `Bearer ${dave.card}` });
    for (const name of Object.keys(doors)) expect((await open(name)()).status, name).toBe(200);
    expect((claimsOf(dave.card)['exp'] as number) * 1000 - Date.now()).toBeGreaterThan(120_000);
    const res = await fetch(`${hotel.issuer}/api/admin/users/${daveId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${carol.api}`, 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    });
    expect(res.status).toBe(200);
    for (const name of Object.keys(doors)) await until401(open(name));
  });
});

describe('a DPoP-bound card needs a fresh proof of its key at every adapter and at the gateway', () => {
  for (const name of ['express', 'fastify', 'hono', 'node', 'fetch', 'gateway']) {
    it(`${name}: accepted with a proof; refused without one, with another key's, replayed, or as Bearer`, async () => {
      const alice = await signIn('alice', 'rooms', aliceKey);
      expect(claimsOf(alice.card)['cnf']).toEqual({ jkt: calculateThumbprint(aliceKey.publicKey.toJWK()) });
      const url = `${doors[name]}/door`;
      const proof = (key: PrivateKey) =>
        createDpopProof(key, { method: 'GET', url, accessToken: alice.card });
      const dpop = `DPoP ${alice.card}`;
      const first = proof(aliceKey);
      const ok = await get(url, { authorization: dpop, dpop: first });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { sub: string }).sub).toBe(claimsOf(alice.card)['sub']);

      const invalid = ['ERR_GUARD_DPOP_PROOF_INVALID', 'invalid_dpop_proof'];
      const bound = ['ERR_GUARD_TOKEN_BOUND', 'invalid_token'];
      const refusals: [string, Record<string, string>, string[]][] = [
        ['no proof', { authorization: dpop }, invalid],
        ["another key's proof", { authorization: dpop, dpop: proof(malloryKey) }, invalid],
        [
          'a replayed proof',
          { authorization: dpop, dpop: first },
          ['ERR_GUARD_DPOP_PROOF_REPLAYED', 'invalid_dpop_proof'],
        ],
        ['as Bearer', { authorization: `Bearer ${alice.card}` }, bound],
        ['as Bearer with a proof', { authorization: `Bearer ${alice.card}`, dpop: proof(aliceKey) }, bound],
      ];
      for (const [what, headers, [code, challenge]] of refusals) {
        const res = await get(url, headers);
        expect(res.status, what).toBe(401);
        expect(res.headers.get('www-authenticate'), what).toContain(
          `DPoP realm="keycard", error="${challenge}"`,
        );
        expect(((await res.json()) as { error: { code: string } }).error.code, what).toBe(code);
      }
      // The holder still gets in with a fresh proof afterwards, also with a query (htu has none, RFC 9449 §4.3).
      expect((await get(url, { authorization: dpop, dpop: proof(aliceKey) })).status).toBe(200);
      const query = await get(`${url}?room=101`, { authorization: dpop, dpop: proof(aliceKey) });
      expect(query.status).toBe(200);
    });
  }
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import * as expressAdapter from '../src/adapters/express.js';
import * as fastifyAdapter from '../src/adapters/fastify.js';
import * as fetchAdapter from '../src/adapters/fetch.js';
import type { KeycardEnv, OptionalKeycardEnv } from '../src/adapters/hono.js';
import * as honoAdapter from '../src/adapters/hono.js';
import * as nodeAdapter from '../src/adapters/node.js';
import type { AuthContext, Guard } from '../src/index.js';
import { createGuard, requireScopes } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

/**
 * Every adapter the same way: `authenticate(guard, { optional })` lets a request without a card through
 * with no auth context, and `authorize(...)` answers in the realm of the guard that looked at the
 * request (here 'rooms-door', never the default 'keycard').
 */
let issuer: TestIssuer;
let guard: Guard;
const closers: (() => Promise<unknown>)[] = [];
const REALM = 'Bearer realm="rooms-door"';

beforeAll(async () => {
  issuer = await startTestIssuer();
  guard = createGuard({
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    audience: issuer.audience,
    revocation: false,
    dpop: false,
    realm: 'rooms-door',
  });
});
afterAll(async () => {
  for (const close of closers) await close();
  await guard.close();
  await issuer.close();
});

const get = (url: string, token?: string) =>
  fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });

/** `/open`: optional auth, answers who it saw. `/rooms`: optional auth + authorize(rooms:read). */
async function realmContract(base: string) {
  const card = issuer.sign({ sub: 'alice', scope: 'rooms:read' });
  expect(await (await get(`${base}/open`)).json()).toEqual({ sub: null });
  expect(await (await get(`${base}/open`, card)).json()).toEqual({ sub: 'alice' });
  const bad = await get(`${base}/open`, `${card.slice(0, -6)}AAAAAA`);
  expect(bad.status).toBe(401); // optional lets a missing card through, never a bad one
  expect(bad.headers.get('www-authenticate')).toBe(`${REALM}, error="invalid_token"`);
  const noCard = await get(`${base}/rooms`);
  expect(noCard.status).toBe(401);
  expect(noCard.headers.get('www-authenticate')).toBe(REALM);
  const noScope = await get(`${base}/rooms`, issuer.sign({ sub: 'alice', scope: 'pool' }));
  expect(noScope.status).toBe(403);
  expect(noScope.headers.get('www-authenticate')).toBe(
    `${REALM}, error="insufficient_scope", scope="rooms:read"`,
  );
  const ok = await get(`${base}/rooms`, card);
  expect(await ok.json()).toEqual({ sub: 'alice' });
}

async function listenNode(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function listenFetch(handler: (request: Request) => Response | Promise<Response>): Promise<string> {
  return new Promise<string>((resolve) => {
    const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
    closers.push(() => new Promise((r) => server.close(r)));
  });
}

describe('optional authentication and the configured realm, in every adapter', () => {
  it('express', async () => {
    const { authenticate, authorize } = expressAdapter;
    const app = express();
    app.use(authenticate(guard, { optional: true }));
    app.get('/open', (req, res) => {
      expectTypeOf(req.auth).toEqualTypeOf<AuthContext | undefined>();
      res.json({ sub: req.auth?.sub ?? null });
    });
    app.get('/rooms', authorize(requireScopes('rooms:read')), (req, res) => {
      res.json({ sub: req.auth?.sub });
    });
    await realmContract(await listenNode(createServer(app)));
  });

  it('fastify', async () => {
    const app = Fastify();
    await app.register(fastifyAdapter.keycard, { guard, optional: true });
    app.get('/open', async (req) => {
      expectTypeOf(req.auth).toEqualTypeOf<AuthContext | undefined>();
      return { sub: req.auth === undefined ? null : req.auth.sub };
    });
    app.get('/rooms', { preHandler: fastifyAdapter.authorize(requireScopes('rooms:read')) }, async (req) => ({
      sub: req.auth?.sub,
    }));
    await realmContract(await app.listen({ port: 0, host: '127.0.0.1' }));
    closers.push(() => app.close());
  });

  it('hono', async () => {
    const { authenticate, authorize } = honoAdapter;
    const app = new Hono<OptionalKeycardEnv>();
    const optional = authenticate(guard, { optional: true });
    expectTypeOf(optional).toEqualTypeOf<import('hono').MiddlewareHandler<OptionalKeycardEnv>>();
    expectTypeOf(authenticate(guard)).toEqualTypeOf<import('hono').MiddlewareHandler<KeycardEnv>>();
    app.use('*', optional);
    app.get('/open', (c) => c.json({ sub: c.get('auth')?.sub ?? null }));
    const rooms = new Hono<KeycardEnv>();
    rooms.use('*', authorize(requireScopes('rooms:read')));
    rooms.get('/', (c) => c.json({ sub: c.get('auth').sub }));
    app.route('/rooms', rooms);
    await realmContract(await listenFetch(app.fetch));
  });

  it('node:http', async () => {
    const { authenticate, authorize } = nodeAdapter;
    const verify = authenticate(guard, { optional: true });
    const canRead = authorize(requireScopes('rooms:read'));
    const base = await listenNode(
      createServer(async (req, res) => {
        const auth = await verify(req, res);
        expectTypeOf(auth).toEqualTypeOf<AuthContext | undefined | null>();
        if (auth === null) return;
        if (req.url === '/rooms' && !(await canRead(req, res, auth))) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sub: auth?.sub ?? null }));
      }),
    );
    await realmContract(base);
    expectTypeOf(authenticate(guard)).returns.resolves.toEqualTypeOf<AuthContext | null>();
  });

  it('fetch', async () => {
    const { authenticate, authorize } = fetchAdapter;
    const verify = authenticate(guard, { optional: true });
    const canRead = authorize(requireScopes('rooms:read'));
    const base = await listenFetch(async (request) => {
      const auth = await verify(request);
      expectTypeOf(auth).toEqualTypeOf<AuthContext | Response | undefined>();
      if (auth instanceof Response) return auth;
      if (new URL(request.url).pathname === '/rooms') {
        const refused = await canRead(request, auth);
        if (refused !== undefined) return refused;
      }
      return Response.json({ sub: auth?.sub ?? null });
    });
    await realmContract(base);
    expectTypeOf(authenticate(guard)).returns.resolves.toEqualTypeOf<AuthContext | Response>();
  });

  it('refuses a removed adapter option by name, at start-up', () => {
    const legacy = { policies: [requireScopes('x')] } as unknown as fetchAdapter.AuthenticateOptions;
    for (const authenticate of [
      expressAdapter.authenticate,
      fastifyAdapter.authenticate,
      honoAdapter.authenticate,
      nodeAdapter.authenticate,
      fetchAdapter.authenticate,
    ] as ((g: Guard, o: fetchAdapter.AuthenticateOptions) => unknown)[]) {
      expect(() => authenticate(guard, legacy)).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_OPTIONS_INVALID', option: 'policies' }),
      );
    }
  });
});

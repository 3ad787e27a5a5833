import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate as expressAuth, authorize as expressAuthorize } from '../src/adapters/express.js';
import { authorize as fastifyAuthorize, keycard } from '../src/adapters/fastify.js';
import { errorToResponse, authenticate as fetchAuth, withAuth } from '../src/adapters/fetch.js';
import type { KeycardEnv } from '../src/adapters/hono.js';
import { authenticate as honoAuth, authorize as honoAuthorize } from '../src/adapters/hono.js';
import { authenticate as nodeAuth, authorize as nodeAuthorize } from '../src/adapters/node.js';
import type { Guard } from '../src/index.js';
import { requireDpop, requireOwner, requireScopes } from '../src/index.js';
import type { DpopHolder } from './support/dpop.js';
import { dpopHolder } from './support/dpop.js';
import { staticGuard } from './support/static-guard.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
let guard: Guard;
let alice: DpopHolder;
let mallory: DpopHolder;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  guard = staticGuard(issuer);
  alice = await dpopHolder(issuer);
  mallory = await dpopHolder(issuer);
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

const DPOP_CHALLENGE =
  'DPoP realm="keycard", algs="ES256 ES384 ES512 EdDSA RS256 RS384 RS512 PS256 PS384 PS512"';

/** The same four checks for every adapter: 200 with the identity, 401, 403 scope, 403 owner. */
async function contract(base: string) {
  const token = issuer.sign({ sub: 'alice', scope: 'rooms:read' });
  const ok = await get(`${base}/rooms/alice`, token);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ sub: 'alice' });
  const missing = await get(`${base}/rooms/alice`);
  expect(missing.status).toBe(401);
  expect(missing.headers.get('www-authenticate')).toBe(`Bearer realm="keycard", ${DPOP_CHALLENGE}`);
  expect(await missing.json()).toEqual({
    error: { code: 'ERR_GUARD_TOKEN_MISSING', message: 'An access token is required.' },
  });
  const forged = await get(`${base}/rooms/alice`, `${token.slice(0, -6)}AAAAAA`);
  expect(forged.status).toBe(401);
  expect(forged.headers.get('www-authenticate')).toBe(
    `Bearer realm="keycard", error="invalid_token", ${DPOP_CHALLENGE}`,
  );
  const noScope = await get(`${base}/rooms/alice`, issuer.sign({ sub: 'alice', scope: 'pool' }));
  expect(noScope.status).toBe(403);
  expect(noScope.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="rooms:read"');
  const other = await get(`${base}/rooms/bob`, token);
  expect(other.status).toBe(403);
  expect(((await other.json()) as { error: { code: string } }).error.code).toBe('ERR_GUARD_NOT_OWNER');
  await subjectContract(base);
  await dpopContract(base);
}

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

/** Issue 8: a client registered with a user's id gets cards whose sub is that id; they open nothing of hers. */
async function subjectContract(base: string) {
  const clientCard = issuer.sign({ sub: 'alice', client_id: 'alice', sid: undefined, roles: undefined });
  const res = await get(`${base}/rooms/alice`, clientCard);
  expect(res.status).toBe(403);
  expect(await errorCode(res)).toBe('ERR_GUARD_USER_REQUIRED');
}

/** A DPoP-bound card: accepted with a fresh proof; refused as Bearer, without a proof, with another key, replayed. */
async function dpopContract(base: string, path = '/rooms/alice') {
  const url = `${base}${path}`;
  const card = alice.card({ sub: 'alice', scope: 'rooms:read' });
  const send = (headers: Record<string, string>) =>
    fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  const headers = alice.headers('GET', url, card);
  const ok = await send(headers);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ sub: 'alice' });
  const replayed = await send(headers);
  expect(replayed.status).toBe(401);
  expect(replayed.headers.get('www-authenticate')).toContain(
    'DPoP realm="keycard", error="invalid_dpop_proof"',
  );
  expect(await errorCode(replayed)).toBe('ERR_GUARD_DPOP_PROOF_REPLAYED');
  const asBearer = await send({ authorization: `Bearer ${card}` });
  expect(asBearer.status).toBe(401);
  expect(asBearer.headers.get('www-authenticate')).toContain('DPoP realm="keycard", error="invalid_token"');
  expect(await errorCode(asBearer)).toBe('ERR_GUARD_TOKEN_BOUND');
  const noProof = await send({ authorization: `DPoP ${card}` });
  expect([noProof.status, await errorCode(noProof)]).toEqual([401, 'ERR_GUARD_DPOP_PROOF_INVALID']);
  const stolen = await send({ authorization: `DPoP ${card}`, dpop: mallory.proof('GET', url, card) });
  expect([stolen.status, await errorCode(stolen)]).toEqual([401, 'ERR_GUARD_DPOP_PROOF_INVALID']);
  const wrongUrl = await send({
    authorization: `DPoP ${card}`,
    dpop: alice.proof('GET', `${base}/rooms/bob`, card),
  });
  expect([wrongUrl.status, await errorCode(wrongUrl)]).toEqual([401, 'ERR_GUARD_DPOP_PROOF_INVALID']);
}

describe('adapters on real servers', () => {
  it('express', async () => {
    const app = express();
    app.get(
      '/rooms/:id',
      expressAuth(guard),
      expressAuthorize(
        requireScopes('rooms:read'),
        requireOwner((req: express.Request) => req.params['id'] as string),
      ),
      (req, res) => {
        res.json({ sub: req.auth!.sub });
      },
    );
    // Mounted under a path, Express rewrites req.url: the proof is still checked against the full URL.
    const lines: string[] = [];
    const router = express.Router();
    router.use(expressAuth(guard, { onRefused: (line) => lines.push(line) }));
    router.get('/rooms/:id', (req, res) => {
      res.json({ sub: req.auth!.sub });
    });
    app.use('/v1', router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    closers.push(() => new Promise((r) => server.close(r)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await contract(base);
    await dpopContract(base, '/v1/rooms/alice');
    const forged = issuer.sign({ sub: 'alice' });
    await get(`${base}/v1/rooms/alice?card=secret`, `${forged.slice(0, -6)}AAAAAA`);
    expect(lines.at(-1)).toBe(
      'keycard: refused GET /v1/rooms/alice: 401 ERR_GUARD_TOKEN_INVALID (ERR_JWS_SIGNATURE_INVALID)',
    );
    for (const line of lines) expect(line).not.toContain(forged.slice(0, 20));
  });

  it('fastify (plugin with request.auth, public routes, preHandler policies)', async () => {
    const app = Fastify();
    await app.register(keycard, { guard });
    app.get('/health', { config: { auth: false } }, async (req) => ({ unset: req.auth === undefined }));
    app.get<{ Params: { id: string } }>(
      '/rooms/:id',
      {
        preHandler: fastifyAuthorize(
          requireScopes('rooms:read'),
          requireOwner((req: { params: { id: string } }) => req.params.id),
        ),
      },
      async (req) => ({ sub: req.auth!.sub }),
    );
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    await contract(url);
    expect(await (await get(`${url}/health`)).json()).toEqual({ unset: true });
  });

  it('hono (typed c.get("auth"))', async () => {
    const app = new Hono<KeycardEnv>();
    app.use('/rooms/*', honoAuth(guard));
    app.get(
      '/rooms/:id',
      honoAuthorize(
        requireScopes('rooms:read'),
        requireOwner((c: Context<KeycardEnv>) => c.req.param('id')),
      ),
      (c) => c.json({ sub: c.get('auth').sub }),
    );
    const url = await new Promise<string>((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
      closers.push(() => new Promise((r) => server.close(r)));
    });
    await contract(url);
  });

  it('requireDpop per route (fastify preHandler): a bearer card gets the DPoP challenge', async () => {
    const app = Fastify();
    const lines: string[] = [];
    await app.register(keycard, { guard, onRefused: (line) => lines.push(line) });
    app.get('/pay', { preHandler: fastifyAuthorize(requireDpop()) }, async (req) => ({
      type: req.auth!.tokenType,
    }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const bearer = await get(`${url}/pay`, issuer.sign());
    expect(bearer.status).toBe(401);
    // authorize answers as the guard that authenticated: its realm and its DPoP `algs`.
    expect(bearer.headers.get('www-authenticate')).toBe(
      `Bearer realm="keycard", ${DPOP_CHALLENGE.replace('DPoP realm="keycard"', 'DPoP realm="keycard", error="invalid_token"')}`,
    );
    expect(await errorCode(bearer)).toBe('ERR_GUARD_DPOP_REQUIRED');
    const card = alice.card();
    const bound = await fetch(`${url}/pay`, { headers: alice.headers('GET', `${url}/pay`, card) });
    expect(await bound.json()).toEqual({ type: 'DPoP' });
    await get(`${url}/pay?t=x`, 'garbage');
    expect(lines.at(-1)).toBe('keycard: refused GET /pay: 401 ERR_GUARD_TOKEN_INVALID (ERR_JWS_INVALID)');
  });

  it('node:http', async () => {
    const auth = nodeAuth(guard);
    const allowed = nodeAuthorize(
      requireScopes('rooms:read'),
      requireOwner((req) => req.url?.split('/')[2]),
    );
    const server = createServer(async (req, res) => {
      const ctx = await auth(req, res);
      if (ctx === null || !(await allowed(req, res, ctx))) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: ctx.sub }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(r)));
    await contract(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  it('fetch-style handlers', async () => {
    const handler = withAuth(guard, (_req, a) => Response.json({ sub: a.sub }), {
      policies: [
        requireScopes('rooms:read'),
        requireOwner((req: Request) => new URL(req.url).pathname.split('/')[2]),
      ],
    });
    const url = await new Promise<string>((resolve) => {
      const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
      closers.push(() => new Promise((r) => server.close(r)));
    });
    await contract(url);
    const verify = fetchAuth(guard);
    const missing = await verify(new Request('http://x/'));
    expect(missing instanceof Response && missing.status).toBe(401);
    const ctx = await verify(
      new Request('http://x/', { headers: { authorization: `Bearer ${issuer.sign({ sub: 'z' })}` } }),
    );
    expect(ctx instanceof Response ? ctx.status : ctx.sub).toBe('z');
    expect(
      errorToResponse(new (await import('../src/index.js')).GuardError('ERR_GUARD_NO_KEYS')).status,
    ).toBe(503);
  });
});

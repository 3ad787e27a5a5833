import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { JWTClaims } from '@keycard/jwt';
import { createDpopProof } from '@keycard/jwt';
import { parseStepUpChallenge } from '@keycard/protocol';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as expressAdapter from '../src/adapters/express.js';
import * as fastifyAdapter from '../src/adapters/fastify.js';
import * as fetchAdapter from '../src/adapters/fetch.js';
import type { KeycardEnv } from '../src/adapters/hono.js';
import * as honoAdapter from '../src/adapters/hono.js';
import * as nodeAdapter from '../src/adapters/node.js';
import { createGateway } from '../src/gateway/index.js';
import type { Guard, Policy } from '../src/index.js';
import { ACR, createGuard, requireAuthStrength, requireRecentAuth } from '../src/index.js';
import { type DpopHolder, dpopHolder } from './support/dpop.js';
import { startTestIssuer, type TestIssuer } from './support/test-issuer.js';

/**
 * RFC 9470 at every door: the same refusals, byte for byte, from each framework adapter and from the
 * gateway. `/mfa` needs `requireAuthStrength(ACR.mfa)`, `/recent` `requireRecentAuth(300)`. The guard's
 * clock is frozen; cards and proofs are dated by it.
 */
const NOW_MS = Date.UTC(2030, 0, 1, 12);
const NOW = NOW_MS / 1000;
const ALGS = 'algs="ES256 EdDSA"';
const MFA_DESCRIPTION = 'error_description="A different authentication level is required"';
const AGE_DESCRIPTION = 'error_description="More recent authentication is required"';
const STEP_UP = 'error="insufficient_user_authentication"';

let issuer: TestIssuer;
let guard: Guard;
let holder: DpopHolder;
const closers: (() => Promise<unknown>)[] = [];
const mfa = requireAuthStrength(ACR.mfa);
const recent = requireRecentAuth(300);

beforeAll(async () => {
  issuer = await startTestIssuer();
  holder = await dpopHolder(issuer);
  guard = createGuard({
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    audience: issuer.audience,
    revocation: false,
    dpop: { algorithms: ['ES256', 'EdDSA'] },
    clock: () => NOW_MS,
  });
});
afterAll(async () => {
  for (const close of closers) await close();
  await guard.close();
  await issuer.close();
});

const card = (claims: JWTClaims) =>
  issuer.sign({ iat: NOW - 10, nbf: NOW - 10, exp: NOW + 600, auth_time: NOW - 10, ...claims });

function get(url: string, token: string, dpop = false): Promise<Response> {
  const headers: Record<string, string> = dpop
    ? {
        authorization: `DPoP ${token}`,
        dpop: createDpopProof(holder.key, { method: 'GET', url, accessToken: token, clock: () => NOW_MS }),
      }
    : { authorization: `Bearer ${token}` };
  return fetch(url, { headers, signal: AbortSignal.timeout(5000) });
}

const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

/** The contract every door must keep. */
async function stepUpContract(base: string): Promise<void> {
  const password = card({ acr: ACR.password, amr: ['pwd'] });
  const weak = await get(`${base}/mfa`, password);
  expect(weak.status).toBe(401);
  const challenge = weak.headers.get('www-authenticate');
  expect(challenge).toBe(
    `Bearer realm="keycard", ${STEP_UP}, ${MFA_DESCRIPTION}, acr_values="${ACR.mfa}", DPoP realm="keycard", ${ALGS}`,
  );
  expect(parseStepUpChallenge(challenge)).toEqual({ acrValues: [ACR.mfa], maxAge: undefined });
  expect(weak.headers.get('cache-control')).toBe('no-store');
  expect(await codeOf(weak)).toBe('ERR_GUARD_STEP_UP_REQUIRED');

  const twoFactors = await get(`${base}/mfa`, card({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'] }));
  expect(twoFactors.status).toBe(200);
  expect(await twoFactors.json()).toEqual({ sub: 'user-1' });
  const passkey = await get(`${base}/mfa`, card({ acr: ACR.phishingResistant, amr: ['hwk', 'mfa'] }));
  expect(passkey.status).toBe(200);
  await passkey.body?.cancel();

  const old = await get(`${base}/recent`, card({ acr: ACR.mfa, auth_time: NOW - 301 }));
  expect(old.status).toBe(401);
  const oldChallenge = old.headers.get('www-authenticate');
  expect(oldChallenge).toBe(
    `Bearer realm="keycard", ${STEP_UP}, ${AGE_DESCRIPTION}, max_age="300", DPoP realm="keycard", ${ALGS}`,
  );
  expect(parseStepUpChallenge(oldChallenge)).toEqual({ acrValues: [], maxAge: 300 });
  expect(await codeOf(old)).toBe('ERR_GUARD_STEP_UP_REQUIRED');
  const noTime = await get(`${base}/recent`, card({ auth_time: undefined }));
  expect(noTime.status).toBe(401);
  expect(await codeOf(noTime)).toBe('ERR_GUARD_STEP_UP_REQUIRED');
  const fresh = await get(`${base}/recent`, card({ auth_time: NOW - 300 }));
  expect(fresh.status).toBe(200);
  await fresh.body?.cancel();

  // A DPoP-bound card is answered in its own scheme: the error sits in the DPoP challenge.
  const bound = holder.card({
    iat: NOW - 10,
    nbf: NOW - 10,
    exp: NOW + 600,
    acr: ACR.password,
    amr: ['pwd'],
  });
  const dpop = await get(`${base}/mfa`, bound, true);
  expect(dpop.status).toBe(401);
  const dpopChallenge = dpop.headers.get('www-authenticate');
  expect(dpopChallenge).toBe(
    `Bearer realm="keycard", DPoP realm="keycard", ${STEP_UP}, ${MFA_DESCRIPTION}, acr_values="${ACR.mfa}", ${ALGS}`,
  );
  expect(parseStepUpChallenge(dpopChallenge)).toEqual({ acrValues: [ACR.mfa], maxAge: undefined });
  expect(await codeOf(dpop)).toBe('ERR_GUARD_STEP_UP_REQUIRED');
  const boundStrong = holder.card({ iat: NOW - 10, nbf: NOW - 10, exp: NOW + 600, acr: ACR.mfa });
  const dpopOk = await get(`${base}/mfa`, boundStrong, true);
  expect(dpopOk.status).toBe(200);
  await dpopOk.body?.cancel();

  // A client card is no user, however it is dressed.
  const client = card({ sid: undefined, roles: undefined, acr: ACR.phishingResistant, auth_time: NOW });
  for (const path of ['/mfa', '/recent']) {
    const res = await get(`${base}${path}`, client);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await codeOf(res)).toBe('ERR_GUARD_USER_REQUIRED');
  }
}

async function listenNode(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
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

/** The policy of a path, for the adapters that route by hand. */
const policyOf = (path: string): Policy | undefined =>
  path === '/mfa' ? mfa : path === '/recent' ? recent : undefined;

describe('step-up (RFC 9470) at every adapter', () => {
  it('express', async () => {
    const { authenticate, authorize } = expressAdapter;
    const app = express();
    app.use(authenticate(guard));
    app.get('/mfa', authorize(mfa), (req, res) => res.json({ sub: req.auth?.sub }));
    app.get('/recent', authorize(recent), (req, res) => res.json({ sub: req.auth?.sub }));
    await stepUpContract(await listenNode(createServer(app)));
  });

  it('fastify', async () => {
    const app = Fastify();
    await app.register(fastifyAdapter.keycard, { guard });
    app.get('/mfa', { preHandler: fastifyAdapter.authorize(mfa) }, async (req) => ({ sub: req.auth?.sub }));
    app.get('/recent', { preHandler: fastifyAdapter.authorize(recent) }, async (req) => ({
      sub: req.auth?.sub,
    }));
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    await stepUpContract(base);
  });

  it('hono', async () => {
    const { authenticate, authorize } = honoAdapter;
    const app = new Hono<KeycardEnv>();
    app.use('*', authenticate(guard));
    app.get('/mfa', authorize(mfa), (c) => c.json({ sub: c.get('auth').sub }));
    app.get('/recent', authorize(recent), (c) => c.json({ sub: c.get('auth').sub }));
    await stepUpContract(await listenFetch(app.fetch));
  });

  it('node:http', async () => {
    const { authenticate, authorize } = nodeAdapter;
    const verify = authenticate(guard);
    const checks = { '/mfa': authorize(mfa), '/recent': authorize(recent) } as Record<
      string,
      ReturnType<typeof authorize>
    >;
    const base = await listenNode(
      createServer(async (req, res) => {
        const auth = await verify(req, res);
        if (auth === null) return;
        const check = checks[req.url ?? ''];
        if (check !== undefined && !(await check(req, res, auth))) return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: auth.sub }));
      }),
    );
    await stepUpContract(base);
  });

  it('fetch (authenticate + authorize, and withAuth)', async () => {
    const { authenticate, authorize } = fetchAdapter;
    const verify = authenticate(guard);
    const base = await listenFetch(async (request) => {
      const auth = await verify(request);
      if (auth instanceof Response) return auth;
      const policy = policyOf(new URL(request.url).pathname);
      const refused = policy === undefined ? undefined : await authorize(policy)(request, auth);
      return refused ?? Response.json({ sub: auth.sub });
    });
    await stepUpContract(base);
    const wrapped = await listenFetch((request) => {
      const policy = policyOf(new URL(request.url).pathname);
      return fetchAdapter.withAuth(guard, (_req, auth) => Response.json({ sub: auth.sub }), {
        policies: policy === undefined ? [] : [policy],
      })(request);
    });
    await stepUpContract(wrapped);
  });
});

describe('step-up (RFC 9470) at the gateway: per-route rules', () => {
  let upstreamUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    upstreamUrl = await listenNode(
      createServer((req: IncomingMessage, res) => {
        seen.push(`${req.method} ${req.url}`);
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sub: req.headers['x-keycard-sub'] }));
      }),
    );
  });

  const routes = [
    { path: '/mfa', acr: ACR.mfa },
    { path: '/recent', maxAge: 300 },
  ];

  it('proxy mode: a refused request never reaches the upstream', async () => {
    const gateway = createGateway({ guard, upstream: upstreamUrl, routes });
    const base = await gateway.listen();
    closers.push(() => gateway.close());
    seen.length = 0;
    await stepUpContract(base);
    // Only the accepted requests were forwarded: two strong cards, one fresh card, one strong DPoP card.
    expect(seen).toEqual(['GET /mfa', 'GET /mfa', 'GET /recent', 'GET /mfa']);
    // Paths the rules do not name pass with a password card; spellings of a named one do not.
    const password = card({ acr: ACR.password });
    const open = await get(`${base}/rooms`, password);
    expect(open.status).toBe(200);
    await open.body?.cancel();
    for (const path of ['/MFA', '/mfa/', '/%6dfa/x', '/mfa;x=1', '/mfa//x']) {
      const res = await get(`${base}${path}`, password);
      expect(res.status, path).toBe(401);
      expect(await codeOf(res)).toBe('ERR_GUARD_STEP_UP_REQUIRED');
    }
  });

  it('forward-auth mode: the forwarded URI picks the rule', async () => {
    const gateway = createGateway({ guard, routes: [{ path: '/admin', acr: ACR.mfa, maxAge: 300 }] });
    const base = await gateway.listen();
    closers.push(() => gateway.close());
    const check = (uri: string, token: string) =>
      fetch(`${base}/auth`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-method': 'POST', 'x-forwarded-uri': uri },
        signal: AbortSignal.timeout(5000),
      });
    // Strong enough but too old: the challenge asks for both at once, so one new sign-in meets them.
    const stale = await check('/admin/keys', card({ acr: ACR.mfa, auth_time: NOW - 900 }));
    expect(stale.status).toBe(401);
    const challenge = stale.headers.get('www-authenticate');
    expect(challenge).toBe(
      `Bearer realm="keycard", ${STEP_UP}, error_description="A stronger, more recent authentication is required", acr_values="${ACR.mfa}", max_age="300", DPoP realm="keycard", ${ALGS}`,
    );
    expect(parseStepUpChallenge(challenge)).toEqual({ acrValues: [ACR.mfa], maxAge: 300 });
    const ok = await check('/admin/keys', card({ acr: ACR.mfa, auth_time: NOW - 60 }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-keycard-sub')).toBe('user-1');
    const elsewhere = await check('/rooms', card({ acr: ACR.password, auth_time: NOW - 900 }));
    expect(elsewhere.status).toBe(200);
  });
});

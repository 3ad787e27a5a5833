// End to end: the real auth server (@keycard/server) and three services protected by @keycard/guard on
// different frameworks (Fastify, Express, Hono) plus `keycard gateway`, all on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Guard } from '@keycard/guard';
import { createGuard, createServiceClient, requireScopes } from '@keycard/guard';
import { authenticate as expressAuth, authorize as expressAuthorize } from '@keycard/guard/express';
import { authorize as fastifyAuthorize, keycard } from '@keycard/guard/fastify';
import { runGateway } from '@keycard/guard/gateway';
import type { KeycardEnv } from '@keycard/guard/hono';
import { authenticate as honoAuth } from '@keycard/guard/hono';
import { generateKeyPair, signJWT } from '@keycard/jwt';
import type { KeycardServer } from '@keycard/server';
import { createClient, createServer, createUser } from '@keycard/server';
import express from 'express';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'correct horse battery staple';
let dir: string;
let server: KeycardServer;
let issuer: string;
let rooms: FastifyInstance;
let roomsUrl: string;
let pool: Server;
let poolUrl: string;
let garage: ReturnType<typeof serve>;
let garageUrl: string;
const guards: Guard[] = [];

function guardFor(
  audience: string,
  extra: Parameters<typeof createGuard>[0] extends infer O ? Partial<O> : never = {},
) {
  const guard = createGuard({
    issuer,
    audience,
    jwks: { cooldownSeconds: 1 },
    revocation: { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 },
    ...extra,
  });
  guards.push(guard);
  return guard;
}

interface Cards {
  /** One card per door: `rooms`, `pool`; `api` is the keycard-only card for /api/*. */
  rooms: string;
  pool: string;
  api: string;
  sessionId: string;
}

/** Signs in (the session is granted rooms, pool and keycard) and mints one card per door from it. */
async function login(username: string): Promise<Cards> {
  const res = await fetch(`${issuer}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username,
      password: PASSWORD,
      client_id: 'hotel-app',
      audience: 'rooms pool keycard',
    }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { access_token: string; session_id: string; refresh_token: string };
  expect(claimsOf(body.access_token).aud).toBe('rooms');
  let refreshToken = body.refresh_token;
  const mint = async (audience: string): Promise<string> => {
    const more = await fetch(`${issuer}/api/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken, client_id: 'hotel-app', audience }),
    });
    expect(more.status).toBe(200);
    const next = (await more.json()) as { access_token: string; refresh_token?: string; audience: string };
    expect(next.audience).toBe(audience);
    refreshToken = next.refresh_token ?? refreshToken;
    return next.access_token;
  };
  const pool = await mint('pool');
  const api = await mint('keycard');
  return { rooms: body.access_token, pool, api, sessionId: body.session_id };
}

const claimsOf = (token: string): { aud: unknown; exp: number } =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

/**
 * Waits until `url` refuses `token`, at most 15 s while the card itself stays valid for minutes: so the
 * refusal came through the revocation feed, not from expiry. (The latency is bench/revocation.mjs's job.)
 */
async function refusedByFeed(url: string, token: string): Promise<void> {
  expect(claimsOf(token).exp * 1000 - Date.now()).toBeGreaterThan(120_000);
  const deadline = Date.now() + 15_000;
  while ((await call(url, token)).status !== 401) {
    expect(Date.now()).toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const call = (url: string, token?: string) =>
  fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keycard-e2e-guard-'));
  server = await createServer(
    { logLevel: 'silent', dataDir: dir, databaseUrl: 'memory', port: 0, revocations: { pingInterval: 1 } },
    { unsafeFastPasswordHashingForTests: true, jobs: false },
  );
  issuer = await server.listen();
  const ctx = server.services;
  const now = Date.now();
  await ctx.storage.audiences.upsert({
    id: 'rooms',
    name: 'rooms',
    scopes: ['rooms:read', 'rooms:write'],
    uri: null,
    createdAt: now,
  });
  await ctx.storage.audiences.upsert({
    id: 'pool',
    name: 'pool',
    scopes: ['pool:swim'],
    uri: null,
    createdAt: now,
  });
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read', 'pool:swim'], createdAt: now });
  await createClient(ctx, {
    id: 'hotel-app',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['keycard', 'rooms', 'pool'],
    scopes: ['rooms:read', 'rooms:write', 'pool:swim'],
  });
  await createUser(ctx, { username: 'alice', password: PASSWORD, roles: ['guest'] });
  await createUser(ctx, { username: 'bob', password: PASSWORD, roles: ['guest'] });

  // Service 1: Fastify, audience "rooms".
  rooms = Fastify();
  await rooms.register(keycard, { guard: guardFor('rooms') });
  rooms.get('/rooms', async (req) => ({ sub: req.auth!.sub }));
  rooms.post('/rooms', { preHandler: fastifyAuthorize(requireScopes('rooms:write')) }, async () => ({
    ok: true,
  }));
  roomsUrl = await rooms.listen({ port: 0, host: '127.0.0.1' });

  // Service 2: Express, audience "pool".
  const app = express();
  app.get(
    '/swim',
    expressAuth(guardFor('pool')),
    expressAuthorize(requireScopes('pool:swim')),
    (req, res) => {
      res.json({ sub: req.auth!.sub });
    },
  );
  pool = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  poolUrl = `http://127.0.0.1:${(pool.address() as { port: number }).port}`;

  // Service 3: Hono, audience "garage" (the token does not open it).
  const hono = new Hono<KeycardEnv>();
  hono.use('*', honoAuth(guardFor('garage')));
  hono.get('/park', (c) => c.json({ sub: c.get('auth').sub }));
  garageUrl = await new Promise<string>((resolve) => {
    garage = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });
  await Promise.all(guards.map((g) => g.ready()));
});

afterAll(async () => {
  await rooms?.close();
  await new Promise((r) => pool?.close(r));
  pool?.closeAllConnections();
  await new Promise((r) => garage?.close(r));
  await Promise.all(guards.map((g) => g.close()));
  await server?.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('guard against the real auth server', () => {
  it('each card opens its own door only: not the other door, not a third audience; 403 on a missing scope', async () => {
    const alice = await login('alice');
    const a = await call(`${roomsUrl}/rooms`, alice.rooms);
    expect(a.status).toBe(200);
    const b = await call(`${poolUrl}/swim`, alice.pool);
    expect(b.status).toBe(200);
    expect(((await a.json()) as { sub: string }).sub).toBe(((await b.json()) as { sub: string }).sub);
    for (const [url, token] of [
      [`${poolUrl}/swim`, alice.rooms],
      [`${roomsUrl}/rooms`, alice.pool],
      [`${roomsUrl}/rooms`, alice.api],
      [`${garageUrl}/park`, alice.rooms],
    ] as const) {
      const refused = await call(url, token);
      expect(refused.status, url).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    const write = await fetch(`${roomsUrl}/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.rooms}` },
    });
    expect(write.status).toBe(403);
    expect(write.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_GUARD_INSUFFICIENT_SCOPE',
    );
  });

  it('DELETE /api/sessions/:id reaches both doors through the feed, long before expiry; other sessions keep working', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    for (const who of [alice, bob]) {
      expect((await call(`${roomsUrl}/rooms`, who.rooms)).status).toBe(200);
      expect((await call(`${poolUrl}/swim`, who.pool)).status).toBe(200);
    }
    const res = await fetch(`${issuer}/api/sessions/${alice.sessionId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${alice.api}` },
    });
    expect(res.status).toBe(204);
    await refusedByFeed(`${roomsUrl}/rooms`, alice.rooms);
    await refusedByFeed(`${poolUrl}/swim`, alice.pool);
    expect((await call(`${roomsUrl}/rooms`, bob.rooms)).status).toBe(200);
    expect((await call(`${poolUrl}/swim`, bob.pool)).status).toBe(200);
  });

  it('keeps working across key rotations, right after start-up too (no wait for a cooldown)', async () => {
    // The default 30 s cooldown: the start-up fetch must not keep a freshly rotated key out.
    const fresh = guardFor('rooms', { jwks: { cooldownSeconds: 30 } });
    await fresh.ready();
    await server.services.keys.rotate();
    await server.services.keys.rotate();
    const alice = await login('alice');
    const result = await fresh.verifyRequest({ headers: { authorization: `Bearer ${alice.rooms}` } });
    expect(result.ok ? 'ok' : result.error.code).toBe('ok');
    expect((await call(`${roomsUrl}/rooms`, alice.rooms)).status).toBe(200);
    expect((await call(`${poolUrl}/swim`, alice.pool)).status).toBe(200);
  });

  it('1,000 requests with unknown kids cause at most one JWKS refetch per cooldown', async () => {
    const guard = guardFor('rooms', { jwks: { cooldownSeconds: 30 } });
    await guard.ready();
    const before = guard.metrics().jwksFetches;
    const stranger = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        guard.verifyRequest({
          headers: {
            authorization: `Bearer ${signJWT({ iss: issuer, sub: 'x', aud: 'rooms', exp: now + 60, iat: now }, stranger, { typ: 'at+jwt', kid: `unknown-${i}` })}`,
          },
        }),
      ),
    );
    expect(results.every((r) => !r.ok && r.error.code === 'ERR_GUARD_TOKEN_INVALID')).toBe(true);
    expect(guard.metrics().jwksFetches - before).toBeLessThanOrEqual(1);
  });

  it('keycard gateway in front of a plain upstream: identity headers, and a logout reaches it through the feed', async () => {
    const upstream = createHttpServer((req, res) => res.end(String(req.headers['x-keycard-sub'])));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const running = await runGateway([
      '--upstream',
      `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
      '--issuer',
      issuer,
      '--audience',
      'rooms',
      '--port',
      '0',
    ]);
    try {
      const alice = await login('alice');
      const first = await call(`${running.url}/anything`, alice.rooms);
      expect(first.status).toBe(200);
      expect(await first.text()).toMatch(/^[\w-]+$/);
      expect((await call(`${running.url}/anything`, alice.pool)).status).toBe(401);
      const res = await fetch(`${issuer}/api/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.api}` },
      });
      expect(res.status).toBe(204);
      await refusedByFeed(`${running.url}/anything`, alice.rooms);
    } finally {
      await running.close();
      upstream.closeAllConnections();
      await new Promise((r) => upstream.close(r));
    }
  });

  it('a service client (client_credentials) calls a protected service', async () => {
    const { secret } = await createClient(server.services, {
      id: 'billing',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['rooms'],
      scopes: ['rooms:read'],
    });
    const billing = createServiceClient({
      issuer,
      clientId: 'billing',
      clientSecret: secret!,
      audience: 'rooms',
      scope: 'rooms:read',
    });
    const res = await billing.fetch(`${roomsUrl}/rooms`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'billing' });
    expect(await billing.getToken()).toBe(await billing.getToken());
  });

  it('keycard gateway with a client_credentials token: no client-sent identity or forwarding header reaches the upstream', async () => {
    // The review's repro: a service token has no sid, so a client-sent X_Keycard_Session was the only
    // HTTP_X_KEYCARD_SESSION a CGI-style backend saw.
    const upstream = createHttpServer((req, res) => res.end(JSON.stringify(req.rawHeaders)));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const { secret } = await createClient(server.services, {
      id: 'gw-svc',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['rooms'],
      scopes: ['rooms:read'],
    });
    const svc = createServiceClient({ issuer, clientId: 'gw-svc', clientSecret: secret!, audience: 'rooms' });
    const running = await runGateway([
      '--upstream',
      `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
      '--issuer',
      issuer,
      '--audience',
      'rooms',
      '--port',
      '0',
    ]);
    try {
      const res = await svc.fetch(`${running.url}/whoami`, {
        headers: {
          'X-Keycard-Session': 'dash',
          X_Keycard_Session: 'victim-session-id',
          X_Keycard_Roles: 'manager',
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'evil.example',
        },
      });
      expect(res.status).toBe(200);
      const raw = (await res.json()) as string[];
      const cgi: Record<string, string[]> = {};
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = `HTTP_${raw[i]!.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
        cgi[name] = [...(cgi[name] ?? []), raw[i + 1]!];
      }
      expect(cgi['HTTP_X_KEYCARD_SUB']).toEqual(['gw-svc']);
      expect(cgi['HTTP_X_KEYCARD_SESSION']).toEqual(['']);
      expect(cgi['HTTP_X_KEYCARD_ROLES']).toEqual(['']);
      expect(cgi['HTTP_X_FORWARDED_PROTO']).toEqual(['http']);
      expect(cgi['HTTP_X_FORWARDED_HOST']).toEqual([new URL(running.url).host]);
    } finally {
      await running.close();
      upstream.closeAllConnections();
      await new Promise((r) => upstream.close(r));
    }
  });

  it('services holding cached keys keep working while the issuer is down', async () => {
    const fresh = await login('bob'); // issued now, never seen by the services
    const seen = await login('alice');
    expect((await call(`${roomsUrl}/rooms`, seen.rooms)).status).toBe(200);
    await server.close();
    expect((await call(`${roomsUrl}/rooms`, seen.rooms)).status).toBe(200);
    expect((await call(`${roomsUrl}/rooms`, fresh.rooms)).status).toBe(200);
    expect((await call(`${poolUrl}/swim`, fresh.pool)).status).toBe(200);
  });
});

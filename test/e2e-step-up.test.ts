// End to end, RFC 9470: cards from the real auth server state how and when their user signed in, and a
// door of @keycard/guard (Express) and `createGateway` per-route rules ask for more. The server's and
// the guard's clocks are frozen, the guard's running 400 s after the sign-in: no sleeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Guard } from '@keycard/guard';
import { ACR, createGuard, requireAuthStrength, requireRecentAuth } from '@keycard/guard';
import { authenticate, authorize } from '@keycard/guard/express';
import { createGateway, type Gateway } from '@keycard/guard/gateway';
import { parseStepUpChallenge } from '@keycard/protocol';
import type { KeycardServer } from '@keycard/server';
import { createClient, createServer, createUser } from '@keycard/server';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'correct horse battery staple';
const SIGNED_IN_AT = Date.UTC(2030, 0, 1, 9);
const GUARD_NOW = SIGNED_IN_AT + 400_000;
let dir: string;
let server: KeycardServer;
let issuer: string;
let guard: Guard;
let door: Server;
let doorUrl: string;
let upstream: Server;
let gateway: Gateway;
let gatewayUrl: string;

const listen = async (s: Server): Promise<string> => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keycard-e2e-step-up-'));
  server = await createServer(
    { logLevel: 'silent', dataDir: dir, databaseUrl: 'memory', port: 0 },
    { unsafeFastPasswordHashingForTests: true, jobs: false, clock: () => SIGNED_IN_AT },
  );
  issuer = await server.listen();
  const ctx = server.services;
  await ctx.storage.audiences.upsert({ id: 'vault', name: 'vault', scopes: [], uri: null, createdAt: 0 });
  await createClient(ctx, {
    id: 'vault-app',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['vault'],
  });
  await createUser(ctx, { username: 'alice', password: PASSWORD, roles: ['guest'] });

  guard = createGuard({ issuer, audience: 'vault', revocation: false, clock: () => GUARD_NOW });
  await guard.ready();
  const app = express();
  app.use(authenticate(guard));
  const ok = (req: express.Request, res: express.Response) => res.json({ sub: req.auth?.sub });
  app.get('/mfa', authorize(requireAuthStrength(ACR.mfa)), ok);
  app.get('/password', authorize(requireAuthStrength(ACR.password)), ok);
  app.get('/within-5-min', authorize(requireRecentAuth(300)), ok);
  app.get('/within-10-min', authorize(requireRecentAuth(600)), ok);
  door = createHttpServer(app);
  doorUrl = await listen(door);

  upstream = createHttpServer((req, res) => res.end(`opened ${req.url}`));
  gateway = createGateway({
    guard,
    upstream: await listen(upstream),
    routes: [{ path: '/vault', methods: ['POST'], acr: ACR.mfa, maxAge: 300 }],
  });
  gatewayUrl = await gateway.listen();
});

afterAll(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
  door?.closeAllConnections();
  await new Promise((r) => door?.close(r));
  await guard?.close();
  await server?.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const call = (url: string, card: string, method = 'GET') =>
  fetch(url, { method, headers: { authorization: `Bearer ${card}` }, signal: AbortSignal.timeout(5000) });

describe('step-up (RFC 9470) with cards of the real auth server', () => {
  it('a password card: strong enough for password doors, not for mfa; its sign-in 400 s old', async () => {
    const login = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'vault-app',
        username: 'alice',
        password: PASSWORD,
      }),
    });
    expect(login.status).toBe(200);
    const card = ((await login.json()) as { access_token: string }).access_token;

    expect((await call(`${doorUrl}/password`, card)).status).toBe(200);
    expect((await call(`${doorUrl}/within-10-min`, card)).status).toBe(200);
    const weak = await call(`${doorUrl}/mfa`, card);
    expect(weak.status).toBe(401);
    expect(parseStepUpChallenge(weak.headers.get('www-authenticate'))).toEqual({
      acrValues: [ACR.mfa],
      maxAge: undefined,
    });
    expect(((await weak.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_GUARD_STEP_UP_REQUIRED',
    );
    const old = await call(`${doorUrl}/within-5-min`, card);
    expect(old.status).toBe(401);
    expect(parseStepUpChallenge(old.headers.get('www-authenticate'))).toEqual({ acrValues: [], maxAge: 300 });

    // The gateway: GET passes, POST needs mfa within 5 minutes and asks for both in one challenge.
    const read = await call(`${gatewayUrl}/vault/1`, card);
    expect(await read.text()).toBe('opened /vault/1');
    const write = await call(`${gatewayUrl}/vault/1`, card, 'POST');
    expect(write.status).toBe(401);
    expect(parseStepUpChallenge(write.headers.get('www-authenticate'))).toEqual({
      acrValues: [ACR.mfa],
      maxAge: 300,
    });
  });
});

// End to end: token exchange (RFC 8693) and DPoP across two real services behind @keycard/guard. The
// rooms door receives a guest's card, exchanges it (as its own confidential client) for a billing card
// that names it in `act`, and charges the guest's bill at the billing door, which requires that
// delegation. Cards for one door never open the other.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Guard } from '@keycard/guard';
import {
  createGuard,
  createServiceClient,
  requireDelegation,
  requireScopes,
  requireUser,
} from '@keycard/guard';
import { authenticate, authorize } from '@keycard/guard/node';
import { createDpopProof, generateKeyPair } from '@keycard/jwt';
import type { KeycardServer } from '@keycard/server';
import { createClient, createServer, createUser } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'correct horse battery staple';
let server: KeycardServer;
let issuer: string;
const guards: Guard[] = [];
const http: Server[] = [];
let roomsUrl: string;
let billingUrl: string;
let aliceId: string;

const guardFor = (audience: string) => {
  const guard = createGuard({
    issuer,
    audience,
    jwks: { cooldownSeconds: 1 },
    revocation: { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 },
  });
  guards.push(guard);
  return guard;
};

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<string> {
  const s = createHttpServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  http.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function login(audience: string, dpop?: string) {
  const res = await fetch(`${issuer}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(dpop ? { dpop } : {}) },
    body: JSON.stringify({ username: 'alice', password: PASSWORD, client_id: 'hotel-app', audience }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string; token_type: string };
}

beforeAll(async () => {
  server = await createServer(
    { logLevel: 'silent', databaseUrl: 'memory', port: 0 },
    { unsafeFastPasswordHashingForTests: true, jobs: false },
  );
  issuer = await server.listen();
  const ctx = server.services;
  // The rooms door may charge the bill on a guest's behalf: its cards carry billing:charge.
  await ctx.storage.audiences.upsert({
    id: 'rooms',
    name: 'rooms',
    scopes: ['rooms', 'billing:charge'],
    uri: null,
    createdAt: 0,
  });
  await ctx.storage.audiences.upsert({
    id: 'billing',
    name: 'billing',
    scopes: ['billing:charge'],
    uri: null,
    createdAt: 0,
  });
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms', 'billing:charge'], createdAt: 0 });
  ctx.directory.invalidate();
  await createClient(ctx, {
    id: 'hotel-app',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['keycard', 'rooms'],
    scopes: ['rooms', 'billing:charge'],
  });
  const { secret } = await createClient(ctx, {
    id: 'rooms-service',
    type: 'confidential',
    grants: ['urn:ietf:params:oauth:grant-type:token-exchange'],
    tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['billing:charge'] }],
  });
  aliceId = (await createUser(ctx, { username: 'alice', password: PASSWORD, roles: ['guest'] })).id;

  const billingAuth = authenticate(guardFor('billing'));
  const mayCharge = authorize(
    requireUser(),
    requireScopes('billing:charge'),
    requireDelegation('rooms-service'),
  );
  billingUrl = await listen(async (req, res) => {
    const auth = await billingAuth(req, res);
    if (auth === null || !(await mayCharge(req, res, auth))) return;
    json(res, 200, { charged: auth.sub, actor: auth.actor?.chain, sid: auth.sid });
  });

  const roomsClient = createServiceClient({
    issuer,
    clientId: 'rooms-service',
    clientSecret: secret!,
    dpop: true,
  });
  const roomsAuth = authenticate(guardFor('rooms'));
  const usersOnly = authorize(requireUser());
  roomsUrl = await listen(async (req, res) => {
    const auth = await roomsAuth(req, res);
    if (auth === null || !(await usersOnly(req, res, auth))) return;
    const card = await roomsClient.exchange(auth.token, { audience: 'billing', scope: 'billing:charge' });
    const charged = await card.fetch(`${billingUrl}/charge`, { method: 'POST' });
    json(res, charged.status, { tokenType: card.tokenType, billing: await charged.json() });
  });
  await Promise.all(guards.map((g) => g.ready()));
});

afterAll(async () => {
  await Promise.all(guards.map((g) => g.close()));
  for (const s of http) s.closeAllConnections();
  await Promise.all(http.map((s) => new Promise((resolve) => s.close(resolve))));
  await server?.close().catch(() => {});
});

describe('token exchange across two guarded services', () => {
  it("the rooms door charges the guest's bill at billing on the guest's behalf (guest → rooms → billing)", async () => {
    const { access_token } = await login('rooms');
    const res = await fetch(`${roomsUrl}/minibar`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { tokenType: string; billing: { charged: string; actor: string[] } };
    expect(body.tokenType).toBe('DPoP'); // the exchanged card is bound to the rooms service's key
    expect(body.billing).toMatchObject({ charged: aliceId, actor: ['rooms-service'] });
  });

  it("a guest's rooms card does not open billing, and billing refuses a card without the delegation", async () => {
    const { access_token } = await login('rooms');
    const direct = await fetch(`${billingUrl}/charge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(direct.status).toBe(401);
  });

  it('a DPoP-bound guest card opens rooms only with its proof, and is exchanged all the same', async () => {
    const key = await generateKeyPair('ES256');
    const bound = await login('rooms', createDpopProof(key, { method: 'POST', url: `${issuer}/api/login` }));
    expect(bound.token_type).toBe('DPoP');
    const asBearer = await fetch(`${roomsUrl}/minibar`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bound.access_token}` },
    });
    expect(asBearer.status).toBe(401);
    const proof = createDpopProof(key, {
      method: 'POST',
      url: `${roomsUrl}/minibar`,
      accessToken: bound.access_token,
    });
    const withProof = await fetch(`${roomsUrl}/minibar`, {
      method: 'POST',
      headers: { authorization: `DPoP ${bound.access_token}`, dpop: proof },
    });
    expect(withProof.status).toBe(200);
    const replay = await fetch(`${roomsUrl}/minibar`, {
      method: 'POST',
      headers: { authorization: `DPoP ${bound.access_token}`, dpop: proof },
    });
    expect(replay.status).toBe(401);
  });
});

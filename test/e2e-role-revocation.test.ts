// End to end: a guard following the real auth server's feed applies `role` events. Shrinking or
// deleting a role publishes one event; the guard refuses the cards that carry the role (cached or
// not), keeps other users' cards, and accepts the card the next refresh mints.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthResult, Guard } from '@keycard/guard';
import { createGuard } from '@keycard/guard';
import type { KeycardServer } from '@keycard/server';
import { createClient, createServer, createUser, deleteRole, saveRole } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'correct horse battery staple';
const admin = { actor: 'test', request: { ip: null, userAgent: null } };
let dir: string;
let server: KeycardServer;
let issuer: string;
let guard: Guard;

interface Card {
  access_token: string;
  refresh_token: string;
  scope: string;
}

async function post(path: string, body: unknown): Promise<Card> {
  const res = await fetch(`${issuer}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Card;
}

const login = (username: string) =>
  post('/api/login', { username, password: PASSWORD, client_id: 'hotel-app', audience: 'rooms' });
const refresh = (card: Card) =>
  post('/api/refresh', { refresh_token: card.refresh_token, client_id: 'hotel-app', audience: 'rooms' });

async function verify(token: string): Promise<AuthResult> {
  return guard.verifyToken(token);
}

/** Waits (at most 15 s, cards live 10 min) until the guard refuses `token` as revoked. */
async function refusedByFeed(token: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const result = await verify(token);
    if (!result.ok && result.error.code === 'ERR_GUARD_TOKEN_REVOKED') return;
    expect(Date.now()).toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function feedTypes(): Promise<string[]> {
  const res = await fetch(`${issuer}/revocations`);
  return ((await res.json()) as { events: { type: string }[] }).events.map((e) => e.type);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keycard-e2e-role-'));
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
    scopes: ['rooms:read', 'rooms:clean'],
    uri: null,
    createdAt: now,
  });
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: now });
  await saveRole(ctx, { name: 'housekeeping', scopes: ['rooms:read', 'rooms:clean'] }, admin);
  await createClient(ctx, {
    id: 'hotel-app',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['rooms'],
    scopes: ['rooms:read', 'rooms:clean'],
  });
  await createUser(ctx, { username: 'ann', password: PASSWORD, roles: ['guest', 'housekeeping'] });
  await createUser(ctx, { username: 'bob', password: PASSWORD, roles: ['guest'] });
  guard = createGuard({
    issuer,
    audience: 'rooms',
    revocation: { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 },
  });
  await guard.ready();
});

afterAll(async () => {
  await guard?.close();
  await server?.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('role revocation through the feed', () => {
  it('shrinking, then deleting, a role: one event each; holders refused, bob kept, refreshed cards pass', async () => {
    let ann = await login('ann');
    const bob = await login('bob');
    expect(ann.scope).toBe('rooms:read rooms:clean');
    expect((await verify(ann.access_token)).ok).toBe(true); // now cached
    expect((await verify(bob.access_token)).ok).toBe(true);
    expect(await feedTypes()).toEqual([]);

    await saveRole(server.services, { name: 'housekeeping', scopes: ['rooms:read'] }, admin);
    expect(await feedTypes()).toEqual(['role']);
    await refusedByFeed(ann.access_token);
    expect(guard.metrics().revokedRoles).toBe(1);
    expect((await verify(bob.access_token)).ok).toBe(true);

    ann = await refresh(ann);
    expect(ann.scope).toBe('rooms:read');
    const fresh = await verify(ann.access_token);
    expect(fresh.ok).toBe(true);
    expect(fresh.ok && fresh.auth.roles).toContain('housekeeping');

    await deleteRole(server.services, 'housekeeping', admin);
    expect(await feedTypes()).toEqual(['role', 'role']);
    await refusedByFeed(ann.access_token);
    expect((await verify(bob.access_token)).ok).toBe(true);
    ann = await refresh(ann);
    expect((await verify(ann.access_token)).ok).toBe(true);
  });
});

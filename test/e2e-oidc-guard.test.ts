// An OpenID Connect ID token is not an access token: a guard refuses it even when its `aud` (the
// client id) is the guard's own audience — the `typ: at+jwt` check (RFC 9068 §4) is what stops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard, type Guard } from '@keycard/guard';
import { createClient, createServer, createUser, type KeycardServer, updateClient } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'correct horse battery staple';
let dir: string;
let server: KeycardServer;
let issuer: string;
let guard: Guard;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keycard-oidc-guard-'));
  server = await createServer(
    { logLevel: 'silent', dataDir: dir, databaseUrl: 'memory', port: 0 },
    { unsafeFastPasswordHashingForTests: true, jobs: false },
  );
  const ctx = server.services;
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: ctx.clock() });
  // The worst case: a client whose id is the door's audience, so its ID tokens carry `aud: rooms`.
  // The services refuse that pair (clients and audiences share one namespace); a database from
  // before the rule may hold it, so the audience is written to storage directly.
  await createClient(ctx, {
    id: 'rooms',
    type: 'public',
    firstParty: true,
    grants: ['password'],
    audiences: [],
    scopes: ['openid', 'profile', 'rooms:read'],
  });
  await ctx.storage.audiences.upsert({
    id: 'rooms',
    name: 'Rooms',
    scopes: ['rooms:read'],
    uri: null,
    createdAt: 0,
  });
  await updateClient(ctx, 'rooms', { audiences: ['rooms'] });
  await createUser(ctx, { username: 'alice', password: PASSWORD, roles: ['guest'] });
  issuer = await server.listen();
  guard = createGuard({ issuer, audience: 'rooms' });
  await guard.ready();
});
afterAll(async () => {
  await guard?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a guard and an ID token', () => {
  it('accepts the access token and refuses the ID token of the same sign-in', async () => {
    const res = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'rooms',
        username: 'alice',
        password: PASSWORD,
        scope: 'openid profile rooms:read',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; id_token: string };
    const idClaims = JSON.parse(Buffer.from(body.id_token.split('.')[1]!, 'base64url').toString());
    expect(idClaims.aud).toBe('rooms');

    const access = await guard.verifyRequest({ headers: { authorization: `Bearer ${body.access_token}` } });
    expect(access.ok).toBe(true);
    if (access.ok) expect(access.auth.scopes).toContain('rooms:read');

    const id = await guard.verifyRequest({ headers: { authorization: `Bearer ${body.id_token}` } });
    expect(id.ok).toBe(false);
    if (!id.ok) {
      expect(id.error.code).toBe('ERR_GUARD_TOKEN_INVALID');
      expect(String((id.error.cause as Error | undefined)?.message ?? '')).toMatch(/typ/);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, type Body, getJson, postForm, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const claimsOf = (token: string): Body =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('one card, one door (RFC 8707 resource, single audience)', () => {
  let r: Running;
  let serviceSecret: string;
  let multiSecret: string;
  const login = (username: string, extra: Record<string, unknown> = {}) =>
    postJson(`${r.url}/api/login`, { username, password: PASSWORD, client_id: 'desk', ...extra });
  const refresh = (refreshToken: string, extra: Record<string, unknown> = {}) =>
    postJson(`${r.url}/api/refresh`, { refresh_token: refreshToken, client_id: 'desk', ...extra });

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    const audiences = [
      { id: 'rooms', scopes: ['rooms:read'], uri: 'https://rooms.example/api' },
      { id: 'pool', scopes: ['pool'], uri: null },
      { id: 'office', scopes: ['office'], uri: null },
    ];
    for (const a of audiences) await ctx.storage.audiences.upsert({ ...a, name: a.id, createdAt: 0 });
    await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read', 'pool'], createdAt: 0 });
    await ctx.storage.roles.upsert({ name: 'manager', scopes: ['admin', 'office'], createdAt: 0 });
    ctx.directory.invalidate();
    await createClient(ctx, {
      id: 'desk',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard', 'rooms', 'pool', 'office'],
      scopes: ['admin', 'office', 'rooms:read', 'pool'],
    });
    serviceSecret = (
      await createClient(ctx, {
        id: 'svc',
        type: 'confidential',
        grants: ['client_credentials'],
        audiences: ['rooms', 'pool'],
        scopes: ['rooms:read', 'pool'],
      })
    ).secret!;
    multiSecret = (
      await createClient(ctx, {
        id: 'multi',
        type: 'confidential',
        grants: ['client_credentials'],
        audiences: ['keycard', 'rooms', 'pool'],
        scopes: ['rooms:read', 'pool'],
        multiAudience: true,
      })
    ).secret!;
    await addUser(r, 'alice', PASSWORD, ['guest']);
    await addUser(r, 'carol', PASSWORD, ['manager']);
  });
  afterAll(() => r.close());

  it('signs in to the keycard API by default: a card for keycard alone, with only its scopes', async () => {
    const res = await login('carol');
    expect(res.status).toBe(200);
    expect(res.body.audience).toBe('keycard');
    const claims = claimsOf(res.body.access_token);
    expect(claims.aud).toBe('keycard');
    expect(claims.scope).toBe('admin'); // office is granted to the session, but keycard does not understand it
  });

  it('names the door by resource (id or registered URI) or audience; unknown or unallowed targets are invalid_target', async () => {
    const byUri = await login('alice', { resource: 'https://rooms.example/api' });
    expect(claimsOf(byUri.body.access_token)).toMatchObject({ aud: 'rooms', scope: 'rooms:read' });
    const byId = await login('alice', { audience: 'pool' });
    expect(claimsOf(byId.body.access_token)).toMatchObject({ aud: 'pool', scope: 'pool' });
    for (const extra of [{ resource: 'https://nowhere.example/' }, { audience: 'nowhere' }]) {
      const bad = await login('alice', extra);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('ERR_INVALID_TARGET');
    }
    const oauth = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      client_id: 'desk',
      username: 'alice',
      password: PASSWORD,
      resource: 'https://nowhere.example/',
    });
    expect(oauth.body.error).toBe('invalid_target');
  });

  it('a refresh token mints a card for any one audience its session was granted, scopes narrowed', async () => {
    const signedIn = await login('alice', { audience: ['keycard', 'rooms', 'pool'] });
    expect(claimsOf(signedIn.body.access_token).aud).toBe('keycard'); // the first one named
    let rt = signedIn.body.refresh_token as string;
    const rooms = await refresh(rt, { resource: 'rooms' });
    expect(rooms.body.audience).toBe('rooms');
    expect(claimsOf(rooms.body.access_token)).toMatchObject({ aud: 'rooms', scope: 'rooms:read' });
    rt = rooms.body.refresh_token;
    const pool = await refresh(rt, { audience: 'pool' });
    expect(claimsOf(pool.body.access_token)).toMatchObject({ aud: 'pool', scope: 'pool' });
    rt = pool.body.refresh_token;
    const office = await refresh(rt, { audience: 'office' }); // the client may, this session was not granted it
    expect(office.body.error.code).toBe('ERR_INVALID_TARGET');
    const both = await refresh(rt, { audience: ['rooms', 'pool'] });
    expect(both.body.error.code).toBe('ERR_INVALID_TARGET');
    const again = await refresh(rt); // nothing named: the session's first audience
    expect(claimsOf(again.body.access_token).aud).toBe('keycard');
  });

  it('refresh scope narrows (RFC 6749 §6); a scope never granted is invalid_scope and costs nothing', async () => {
    const signedIn = await login('alice', { audience: ['rooms', 'pool'] });
    const rt = signedIn.body.refresh_token as string;
    const never = await refresh(rt, { audience: 'rooms', scope: 'admin' });
    expect(never.status).toBe(400);
    expect(never.body.error.code).toBe('ERR_INVALID_SCOPE');
    const narrowed = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'desk',
      refresh_token: rt, // still valid: the refused request did not consume it
      resource: 'pool',
      scope: 'rooms:read',
    });
    expect(narrowed.status).toBe(200);
    expect(claimsOf(narrowed.body.access_token)).toMatchObject({ aud: 'pool', scope: '' });
    const invalid = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'desk',
      refresh_token: narrowed.body.refresh_token,
      scope: 'office',
    });
    expect(invalid.body.error).toBe('invalid_scope');
  });

  it('client_credentials: one audience unless registered for more; keycard never shares; only lacked scopes → invalid_scope', async () => {
    const cc = (secret: string, id: string, form: Record<string, string>) =>
      postForm(`${r.url}/oauth/token`, {
        grant_type: 'client_credentials',
        client_id: id,
        client_secret: secret,
        ...form,
      });
    const one = await cc(serviceSecret, 'svc', { resource: 'https://rooms.example/api' });
    expect(claimsOf(one.body.access_token)).toMatchObject({ aud: 'rooms', sub: 'svc', scope: 'rooms:read' });
    expect(claimsOf(one.body.access_token).sid).toBeUndefined();
    expect((await cc(serviceSecret, 'svc', {})).body.error).toBe('invalid_target'); // two audiences, none named
    const two = await fetch(`${r.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=svc&client_secret=${serviceSecret}&resource=rooms&resource=pool`,
    });
    expect(((await two.json()) as Body).error).toBe('invalid_target');
    expect((await cc(serviceSecret, 'svc', { resource: 'rooms', scope: 'admin' })).body.error).toBe(
      'invalid_scope',
    );
    const some = await cc(serviceSecret, 'svc', { resource: 'rooms', scope: 'admin rooms:read' });
    expect(some.body.scope).toBe('rooms:read');

    const multi = await cc(multiSecret, 'multi', { audience: 'rooms pool' });
    expect(claimsOf(multi.body.access_token).aud).toEqual(['rooms', 'pool']);
    expect((await cc(multiSecret, 'multi', { audience: 'keycard rooms' })).body.error).toBe('invalid_target');
    expect(claimsOf((await cc(multiSecret, 'multi', {})).body.access_token).aud).toBe('keycard');
  });

  it("carol's office card replayed at /api/admin and /api/me is refused, and no account is created", async () => {
    const office = await login('carol', { audience: 'office' });
    const card = office.body.access_token as string;
    expect(claimsOf(card)).toMatchObject({ aud: 'office', scope: 'office' });
    const created = await postJson(
      `${r.url}/api/admin/users`,
      { username: 'mallory', password: PASSWORD, roles: ['manager'] },
      { authorization: `Bearer ${card}` },
    );
    expect(created.status).toBe(401);
    expect(created.body.error.code).toBe('ERR_INVALID_TOKEN');
    expect(await r.server.services.storage.users.getByUsername('mallory')).toBeUndefined();
    expect((await getJson(`${r.url}/api/me`, { authorization: `Bearer ${card}` })).status).toBe(401);
    // A multi-audience card naming keycard cannot exist, and a keycard card is not for doors:
    const keycardCard = (await login('carol')).body.access_token as string;
    expect(claimsOf(keycardCard).aud).toBe('keycard');
    expect((await getJson(`${r.url}/api/me`, { authorization: `Bearer ${keycardCard}` })).status).toBe(200);
  });
});

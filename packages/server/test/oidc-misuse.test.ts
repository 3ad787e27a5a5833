import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createUser, runMaintenance } from '../src/index.js';
import {
  addAudience,
  type Body,
  getJson,
  postForm,
  type Running,
  startServer,
  testClock,
} from './helpers.js';

const PASSWORD = 'correct horse battery';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * An ID token proves a sign-in to its client and opens nothing: it is refused wherever an access
 * token is taken, and identity scopes cannot be smuggled onto a card by other grants or tricks.
 */
describe('ID tokens and identity scopes misused', () => {
  let r: Running;
  let deskSecret: string;
  let svcSecret: string;
  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
  });
  const signIn = async (form: Record<string, string>) => {
    const res = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', username: 'alice', password: PASSWORD, resource: 'rooms', ...form },
      basic('desk', deskSecret),
    );
    expect(res.status).toBe(200);
    return res.body as Body;
  };
  const introspect = (token: string) =>
    postForm(`${r.url}/oauth/introspect`, { token }, basic('desk', deskSecret));

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    await addAudience(r, 'rooms', ['rooms:read'], 'Rooms');
    await addAudience(r, 'openid', ['openid'], 'Odd');
    await ctx.storage.roles.upsert({
      name: 'guest',
      scopes: ['rooms:read', 'OpenID', 'profile'],
      createdAt: ctx.clock(),
    });
    deskSecret = (
      await createClient(ctx, {
        id: 'desk',
        type: 'confidential',
        firstParty: true,
        grants: ['password', 'refresh_token'],
        audiences: ['rooms', 'openid'],
        scopes: ['openid', 'rooms:read'],
      })
    ).secret!;
    // An audience named like the client, so the client's ID tokens carry `aud: desk` too. The
    // services refuse this (one namespace for clients and audiences); a database from before that
    // rule may hold it, so it is written to storage directly.
    await addAudience(r, 'desk', ['rooms:read'], 'Desk');
    svcSecret = (
      await createClient(ctx, {
        id: 'svc',
        type: 'confidential',
        grants: ['client_credentials', EXCHANGE],
        audiences: ['rooms', 'openid'],
        scopes: ['openid', 'profile', 'rooms:read'],
        tokenExchange: [{ from: 'desk', to: 'rooms', scopes: ['openid', 'rooms:read'] }],
      })
    ).secret!;
    await createUser(ctx, { username: 'alice', password: PASSWORD, roles: ['guest'] });
  });
  afterAll(() => r.close());

  it('an ID token is inactive at introspection and revokes nothing', async () => {
    const tokens = await signIn({ scope: 'openid rooms:read' });
    expect(tokens.id_token).toBeTypeOf('string');
    expect((await introspect(tokens.id_token)).body).toEqual({ active: false });
    for (const hint of ['access_token', 'refresh_token', undefined]) {
      const res = await postForm(
        `${r.url}/oauth/revoke`,
        { token: tokens.id_token, ...(hint ? { token_type_hint: hint } : {}) },
        basic('desk', deskSecret),
      );
      expect(res.status).toBe(200);
    }
    // The sign-in it belongs to is untouched: its card and refresh token still work.
    expect((await introspect(tokens.access_token)).body.active).toBe(true);
    const refreshed = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basic('desk', deskSecret),
    );
    expect(refreshed.status).toBe(200);
  });

  it('an ID token is no subject token for an exchange, even when its aud names a rule', async () => {
    // The ID token's aud is `desk`, which the exchange rule names as its `from`.
    const tokens = await signIn({ scope: 'openid rooms:read' });
    const res = await postForm(
      `${r.url}/oauth/token`,
      {
        grant_type: EXCHANGE,
        subject_token: tokens.id_token,
        subject_token_type: ACCESS_TOKEN,
        audience: 'rooms',
      },
      basic('svc', svcSecret),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('no identity scope through roles, case tricks, an audience named openid, or client_credentials', async () => {
    // A role granting `OpenID` grants no identity scope (and the client never registered it).
    const odd = await signIn({ scope: 'OpenID rooms:read', resource: 'rooms' });
    expect(odd.scope).toBe('rooms:read');
    expect(odd.id_token).toBeUndefined();
    // `profile` from a role, but not from the client's registration: not granted.
    const profile = await signIn({ scope: 'openid profile', resource: 'rooms' });
    expect(profile.scope).toBe('openid');
    // An audience named `openid` that registers `openid`: a card for it is a card, not a sign-in.
    const cc = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'client_credentials', audience: 'openid' },
      basic('svc', svcSecret),
    );
    expect(cc.status).toBe(200);
    expect(cc.body.scope).toBe('');
    const ccAsked = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'client_credentials', audience: 'openid', scope: 'openid' },
      basic('svc', svcSecret),
    );
    expect(ccAsked.status).toBe(400);
    expect(ccAsked.body.error).toBe('invalid_scope');
    const ccRooms = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'client_credentials', audience: 'rooms', scope: 'openid profile rooms:read' },
      basic('svc', svcSecret),
    );
    expect(ccRooms.status).toBe(200);
    expect(ccRooms.body.scope).toBe('rooms:read');
    expect(ccRooms.body.id_token).toBeUndefined();
  });

  it('a refresh cannot widen a sign-in to openid', async () => {
    const tokens = await signIn({ scope: 'rooms:read' });
    expect(tokens.id_token).toBeUndefined();
    const wider = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'openid rooms:read' },
      basic('desk', deskSecret),
    );
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    const same = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basic('desk', deskSecret),
    );
    expect(same.status).toBe(200);
    expect(same.body.scope).toBe('rooms:read');
    expect(same.body.id_token).toBeUndefined();
  });

  it('userinfo takes the card only from the Authorization header', async () => {
    const tokens = await signIn({ scope: 'openid', resource: 'rooms' });
    const query = await fetch(`${r.url}/oauth/userinfo?access_token=${tokens.access_token}`);
    expect(query.status).toBe(401);
    const form = await postForm(`${r.url}/oauth/userinfo`, { access_token: tokens.access_token });
    expect(form.status).toBe(401);
    expect(form.headers.get('cache-control')).toBe('no-store');
  });
});

describe('a retired key and the ID tokens it signed', () => {
  it('stays published while an ID token outlives every access token', async () => {
    const clock = testClock();
    const r = await startServer({ tokens: { accessTokenTtl: 60, idTokenTtl: 3600 } }, { clock });
    try {
      const ctx = r.server.services;
      await createClient(ctx, {
        id: 'app',
        type: 'public',
        firstParty: true,
        grants: ['password'],
        audiences: ['keycard'],
        scopes: ['openid'],
      });
      await createUser(ctx, { username: 'alice', password: PASSWORD, roles: [] });
      const res = await postForm(`${r.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'app',
        username: 'alice',
        password: PASSWORD,
        scope: 'openid',
      });
      const kid = JSON.parse(Buffer.from(res.body.id_token.split('.')[0], 'base64url').toString()).kid;
      expect((await ctx.keys.rotate()).retired).toBe(kid);
      const kids = async () =>
        (await getJson(`${r.url}/.well-known/jwks.json`)).body.keys.map((k: { kid: string }) => k.kid);
      // Just before the ID token expires, its key is still there, maintenance or not.
      clock.advance(3599 * 1000);
      await runMaintenance(ctx);
      expect(await kids()).toContain(kid);
    } finally {
      await r.close();
    }
  });
});

import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createUser } from '../src/index.js';
import { addAudience, type Body, postForm, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const ID_TOKEN_TTL = 120;

/** ID tokens on the password and refresh_token grants, and the identity-scope rule. */
describe('OpenID Connect ID tokens', () => {
  let r: Running;
  let deskSecret: string;
  let serviceSecret: string;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let aliceId: string;

  beforeAll(async () => {
    r = await startServer({ tokens: { idTokenTtl: ID_TOKEN_TTL } });
    const ctx = r.server.services;
    const now = ctx.clock();
    await addAudience(r, 'rooms', ['rooms:read'], 'Rooms');
    // An audience that registers an identity scope: it still never puts one on a card.
    await addAudience(r, 'spa-api', ['openid', 'spa:use'], 'SPA');
    await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: now });
    deskSecret = (
      await createClient(ctx, {
        id: 'desk',
        type: 'confidential',
        firstParty: true,
        grants: ['password', 'refresh_token'],
        audiences: ['rooms'],
        scopes: ['openid', 'profile', 'email', 'rooms:read'],
      })
    ).secret!;
    await createClient(ctx, {
      id: 'plain',
      type: 'public',
      firstParty: true,
      grants: ['password'],
      audiences: ['rooms'],
      scopes: ['rooms:read'],
    });
    await createClient(ctx, {
      id: 'spa',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard'],
      scopes: ['openid', 'profile'],
    });
    serviceSecret = (
      await createClient(ctx, {
        id: 'robot',
        type: 'confidential',
        grants: ['client_credentials'],
        audiences: ['spa-api'],
        scopes: ['openid', 'spa:use'],
      })
    ).secret!;
    aliceId = (
      await createUser(ctx, {
        username: 'alice',
        password: PASSWORD,
        roles: ['guest'],
        claims: { email: 'alice@hotel.test', room: '101' },
      })
    ).id;
    await createUser(ctx, { username: 'bob', password: PASSWORD, roles: ['guest'] });
    jwks = createRemoteJWKSet(new URL(`${r.url}/.well-known/jwks.json`));
  });
  afterAll(() => r.close());

  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
  });
  const passwordGrant = (form: Record<string, string>, username = 'alice') =>
    postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', username, password: PASSWORD, ...form },
      basic('desk', deskSecret),
    );
  const verifyIdToken = async (token: string, clientId = 'desk') =>
    (await jwtVerify(token, jwks, { issuer: r.url, audience: clientId, typ: 'JWT', algorithms: ['ES256'] }))
      .payload;

  it('a password grant with openid carries an ID token with exactly the OIDC claims', async () => {
    const res = await passwordGrant({ scope: 'openid profile email rooms:read' });
    expect(res.status).toBe(200);
    const body: Body = res.body;
    expect(body.scope.split(' ').sort()).toEqual(['email', 'openid', 'profile', 'rooms:read']);
    expect(decodeProtectedHeader(body.id_token)).toMatchObject({ typ: 'JWT', alg: 'ES256' });
    const claims = await verifyIdToken(body.id_token);
    expect(Object.keys(claims).sort()).toEqual(
      [
        'acr',
        'amr',
        'aud',
        'auth_time',
        'azp',
        'email',
        'email_verified',
        'exp',
        'iat',
        'iss',
        'preferred_username',
        'sid',
        'sub',
        'updated_at',
      ].sort(),
    );
    const access = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      iss: r.url,
      sub: aliceId,
      aud: 'desk',
      azp: 'desk',
      sid: access['sid'],
      amr: ['pwd'],
      acr: 'urn:keycard:acr:password',
      preferred_username: 'alice',
      email: 'alice@hotel.test',
      email_verified: false,
    });
    expect(claims.exp! - claims.iat!).toBe(ID_TOKEN_TTL);
    expect(claims.auth_time).toBeLessThanOrEqual(claims.iat!);
    // Never an access token's claims: no scope, roles, cnf, client_id, jti or user claims.
    for (const name of ['scope', 'roles', 'cnf', 'client_id', 'jti', 'username', 'room', 'nonce'])
      expect(claims[name], name).toBeUndefined();
    // The access token is still an at+jwt for its audience.
    expect(decodeProtectedHeader(body.access_token).typ).toBe('at+jwt');
    expect(access.aud).toBe('rooms');
  });

  it('profile and email claims only with their scopes; email only when the user has one', async () => {
    const onlyOpenid = await verifyIdToken(
      (await passwordGrant({ scope: 'openid rooms:read' })).body.id_token,
    );
    for (const name of ['preferred_username', 'updated_at', 'email', 'email_verified'])
      expect(onlyOpenid[name], name).toBeUndefined();
    const bob = await verifyIdToken((await passwordGrant({ scope: 'openid email' }, 'bob')).body.id_token);
    expect(bob.email).toBeUndefined();
    expect(bob.email_verified).toBeUndefined();
  });

  it('no openid, no ID token', async () => {
    const res = await passwordGrant({ scope: 'rooms:read' });
    expect(res.status).toBe(200);
    expect(res.body.id_token).toBeUndefined();
    expect(res.body.scope).toBe('rooms:read');
    // A client not registered for openid cannot have it by asking.
    const plain = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      client_id: 'plain',
      username: 'alice',
      password: PASSWORD,
      scope: 'openid rooms:read',
    });
    expect(plain.status).toBe(200);
    expect(plain.body.id_token).toBeUndefined();
    expect(plain.body.scope).toBe('rooms:read');
  });

  it('identity scopes are not granted by roles and not narrowed by the audience', async () => {
    // guest's role grants rooms:read only, and the card's audience (rooms) knows no identity scope.
    const res = await passwordGrant({ scope: 'openid profile' });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('openid profile');
    expect(res.body.id_token).toBeTypeOf('string');
  });

  it('a client_credentials card never carries an identity scope, even for an audience that lists one', async () => {
    const res = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'openid spa:use' },
      basic('robot', serviceSecret),
    );
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('spa:use');
    expect(res.body.id_token).toBeUndefined();
    const onlyOpenid = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'openid' },
      basic('robot', serviceSecret),
    );
    expect(onlyOpenid.body).toMatchObject({ error: 'invalid_scope' });
  });

  it('a refresh gives a fresh ID token for the same sign-in (same sid and auth_time)', async () => {
    const first = await passwordGrant({ scope: 'openid profile rooms:read' });
    const before = await verifyIdToken(first.body.id_token);
    const refreshed = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
      basic('desk', deskSecret),
    );
    expect(refreshed.status).toBe(200);
    const after = await verifyIdToken(refreshed.body.id_token);
    expect(after).toMatchObject({
      sub: before.sub,
      sid: before.sid,
      auth_time: before.auth_time,
      amr: ['pwd'],
    });
    expect(after.iat).toBeGreaterThanOrEqual(before.iat!);
    // Narrowed to a scope without openid: no ID token.
    const narrowed = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, scope: 'rooms:read' },
      basic('desk', deskSecret),
    );
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('rooms:read');
    expect(narrowed.body.id_token).toBeUndefined();
  });

  it('/api/login and /api/refresh carry the ID token too', async () => {
    const login = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: PASSWORD,
      client_id: 'spa',
      scope: 'openid profile',
    });
    expect(login.status).toBe(200);
    expect(login.body.scope).toBe('openid profile');
    const claims = await verifyIdToken(login.body.id_token, 'spa');
    expect(claims).toMatchObject({
      aud: 'spa',
      azp: 'spa',
      sid: login.body.session_id,
      preferred_username: 'alice',
    });
    const refreshed = await postJson(`${r.url}/api/refresh`, {
      refresh_token: login.body.refresh_token,
      client_id: 'spa',
    });
    expect(refreshed.status).toBe(200);
    expect((await verifyIdToken(refreshed.body.id_token, 'spa')).sid).toBe(login.body.session_id);
  });
});

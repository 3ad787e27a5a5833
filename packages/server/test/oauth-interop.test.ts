import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, getJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const insecure = { [oauth.allowInsecureRequests]: true };

describe('an independent OAuth client library (oauth4webapi) against the server', () => {
  let r: Running;
  let as: oauth.AuthorizationServer;
  let serviceSecret: string;
  let deskSecret: string;
  beforeAll(async () => {
    r = await startServer();
    const ctx = r.server.services;
    await ctx.storage.audiences.upsert({
      id: 'rooms',
      name: 'Rooms',
      scopes: ['rooms:read'],
      uri: null,
      createdAt: 0,
    });
    const created = await createClient(ctx, {
      id: 'billing',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['rooms'],
      scopes: ['rooms:read', 'rooms:write'],
    });
    serviceSecret = created.secret!;
    deskSecret = (
      await createClient(ctx, {
        id: 'desk',
        type: 'confidential',
        firstParty: true,
        grants: ['password', 'refresh_token'],
        audiences: ['keycard', 'rooms'],
        scopes: ['admin', 'rooms:read'],
      })
    ).secret!;
    await addUser(r, 'alice', PASSWORD, ['guest']);
    await addUser(r, 'manager', PASSWORD, ['manager']);
    const issuer = new URL(r.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  });
  afterAll(() => r.close());

  it('runs discovery', () => {
    expect(as.issuer).toBe(r.url);
    expect(as.token_endpoint).toBe(`${r.url}/oauth/token`);
  });

  it('password and refresh_token grants (public first-party client)', async () => {
    const client: oauth.Client = { client_id: 'keycard-web' };
    const res = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.None(),
      'password',
      { username: 'alice', password: PASSWORD },
      insecure,
    );
    const tokens = await oauth.processGenericTokenEndpointResponse(as, client, res);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toBeTypeOf('string');

    // A resource server validating the RFC 9068 token with the same library.
    const request = new Request(`${r.url}/rooms`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, 'keycard', insecure);
    expect(claims.client_id).toBe('keycard-web');

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('password grant through a confidential first-party client, with scope and audience', async () => {
    const client: oauth.Client = { client_id: 'desk' };
    const res = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.ClientSecretBasic('wrong'),
      'password',
      { username: 'alice', password: PASSWORD },
      insecure,
    );
    await expect(oauth.processGenericTokenEndpointResponse(as, client, res)).rejects.toMatchObject({
      status: 401,
    });
    const ok = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await oauth.genericTokenEndpointRequest(
        as,
        client,
        oauth.ClientSecretPost(deskSecret),
        'password',
        { username: 'manager', password: PASSWORD, scope: 'admin rooms:read', audience: 'keycard' },
        insecure,
      ),
    );
    // manager grants admin, not rooms:read: the token carries the intersection.
    expect(ok.scope).toBe('admin');
    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request(`${r.url}/x`, { headers: { authorization: `Bearer ${ok.access_token}` } }),
      'keycard',
      insecure,
    );
    expect(claims.aud).toBe('keycard');
  });

  it('client_credentials grant, introspection and revocation', async () => {
    const client: oauth.Client = { client_id: 'billing' };
    const auth = oauth.ClientSecretBasic(serviceSecret);
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: 'rooms:read admin' }, insecure),
    );
    expect(tokens.scope).toBe('rooms:read');
    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request(`${r.url}/x`, { headers: { authorization: `Bearer ${tokens.access_token}` } }),
      'rooms',
      insecure,
    );
    expect(claims.sub).toBe('billing');
    expect(claims['sid']).toBeUndefined();

    const active = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, tokens.access_token, insecure),
    );
    expect(active).toMatchObject({ active: true, sub: 'billing', client_id: 'billing', scope: 'rooms:read' });

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, tokens.access_token, insecure),
    );
    const after = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, tokens.access_token, insecure),
    );
    expect(after.active).toBe(false);
    const feed = await getJson(`${r.url}/revocations`);
    expect(feed.body.events.at(-1)).toMatchObject({ type: 'token', jti: claims.jti });
  });

  it('revoking a refresh token ends its session; introspection sees it', async () => {
    const desk: oauth.Client = { client_id: 'desk' };
    const auth = oauth.ClientSecretBasic(deskSecret);
    const tokens = await oauth.processGenericTokenEndpointResponse(
      as,
      desk,
      await oauth.genericTokenEndpointRequest(
        as,
        desk,
        auth,
        'password',
        { username: 'alice', password: PASSWORD },
        insecure,
      ),
    );
    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(
        as,
        desk,
        await oauth.introspectionRequest(as, desk, auth, token, insecure),
      );
    expect(await introspect(tokens.refresh_token!)).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      client_id: 'desk',
    });
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, desk, auth, tokens.refresh_token!, insecure),
    );
    for (const token of [tokens.refresh_token!, tokens.access_token]) {
      expect((await introspect(token)).active).toBe(false);
    }
  });

  it('introspection shows a client only tokens meant for it (its audiences, or issued to it)', async () => {
    const web: oauth.Client = { client_id: 'keycard-web' };
    const tokens = await oauth.processGenericTokenEndpointResponse(
      as,
      web,
      await oauth.genericTokenEndpointRequest(
        as,
        web,
        oauth.None(),
        'password',
        { username: 'alice', password: PASSWORD },
        insecure,
      ),
    );
    const introspect = async (clientId: string, secret: string, token: string) => {
      const client: oauth.Client = { client_id: clientId };
      const auth = oauth.ClientSecretBasic(secret);
      return oauth.processIntrospectionResponse(
        as,
        client,
        await oauth.introspectionRequest(as, client, auth, token, insecure),
      );
    };
    // billing serves only `rooms`: alice's web card (aud keycard) and refresh token are not its business.
    expect(await introspect('billing', serviceSecret, tokens.access_token)).toEqual({ active: false });
    expect(await introspect('billing', serviceSecret, tokens.refresh_token!)).toEqual({ active: false });
    // desk is registered for `keycard`: it may see the access token, not another client's refresh token.
    expect(await introspect('desk', deskSecret, tokens.access_token)).toMatchObject({
      active: true,
      sub: expect.any(String),
      client_id: 'keycard-web',
    });
    expect(await introspect('desk', deskSecret, tokens.refresh_token!)).toEqual({ active: false });
  });

  it('DPoP: a bound card obtained and refreshed with oauth4webapi opens /api/me called through the same library', async () => {
    const client: oauth.Client = { client_id: 'keycard-web' };
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const tokens = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await oauth.genericTokenEndpointRequest(
        as,
        client,
        oauth.None(),
        'password',
        { username: 'alice', password: PASSWORD },
        { ...insecure, DPoP },
      ),
    );
    expect(tokens.token_type).toBe('dpop');
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
        ...insecure,
        DPoP,
      }),
    );
    expect(refreshed.token_type).toBe('dpop');
    const me = await oauth.protectedResourceRequest(
      refreshed.access_token,
      'GET',
      new URL(`${r.url}/api/me`),
      undefined,
      undefined,
      { ...insecure, DPoP },
    );
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('alice');
    // The same card without the key's proof is refused, as is a refresh without it.
    const bare = await fetch(`${r.url}/api/me`, {
      headers: { authorization: `DPoP ${refreshed.access_token}` },
    });
    expect(bare.status).toBe(401);
    const noKey = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      refreshed.refresh_token!,
      insecure,
    );
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as { error: string }).error).toBe('invalid_dpop_proof');
  });

  it('introspection requires a confidential client', async () => {
    const web: oauth.Client = { client_id: 'keycard-web' };
    const res = await oauth.introspectionRequest(as, web, oauth.None(), 'x', insecure);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('invalid_client');
  });
});

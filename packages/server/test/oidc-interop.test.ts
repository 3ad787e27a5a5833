import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createUser } from '../src/index.js';
import { addAudience, getJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const insecure = { [oauth.allowInsecureRequests]: true };

/** ID tokens and userinfo through an independent OpenID Connect client library (oauth4webapi). */
describe('OpenID Connect with oauth4webapi', () => {
  let r: Running;
  let as: oauth.AuthorizationServer;
  let aliceId: string;
  const app: oauth.Client = { client_id: 'app' };

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    await addAudience(r, 'rooms', ['rooms:read'], 'Rooms');
    await createClient(ctx, {
      id: 'app',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['rooms', 'keycard'],
      scopes: ['openid', 'profile', 'email', 'rooms:read'],
    });
    aliceId = (
      await createUser(ctx, {
        username: 'alice',
        password: PASSWORD,
        roles: ['guest'],
        claims: { email: 'alice@hotel.test' },
      })
    ).id;
    const issuer = new URL(r.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  });
  afterAll(() => r.close());

  /** The token response and its `Response` (the library checks the ID token's signature on the latter). */
  const signIn = async (scope: string, options: oauth.TokenEndpointRequestOptions = {}) => {
    const response = await oauth.genericTokenEndpointRequest(
      as,
      app,
      oauth.None(),
      'password',
      { username: 'alice', password: PASSWORD, scope },
      { ...insecure, ...options },
    );
    return { response, tokens: await oauth.processGenericTokenEndpointResponse(as, app, response) };
  };

  it('discovery names the userinfo endpoint, the ID-token algorithm and the identity scopes offered', () => {
    expect(as.userinfo_endpoint).toBe(`${r.url}/oauth/userinfo`);
    expect(as.id_token_signing_alg_values_supported).toEqual(['ES256']);
    expect(as.subject_types_supported).toEqual(['public']);
    expect(as.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'rooms:read']));
    expect(as.claims_supported).toEqual(expect.arrayContaining(['sub', 'auth_time', 'sid', 'email']));
    // The code flow is advertised exactly when the web app's sign-in pages are served.
    const pages = r.server.services.webPages;
    expect(as.response_types_supported).toEqual(pages ? ['code'] : []);
    expect(as.authorization_endpoint).toBe(pages ? `${r.url}/oauth/authorize` : undefined);
  });

  it('validates the ID token of a password grant (claims and signature) and reads userinfo', async () => {
    const { response, tokens } = await signIn('openid profile email rooms:read');
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims).toMatchObject({ iss: r.url, sub: aliceId, aud: 'app', azp: 'app', amr: ['pwd'] });
    await oauth.validateApplicationLevelSignature(as, response, insecure);

    const info = await oauth.processUserInfoResponse(
      as,
      app,
      claims.sub,
      await oauth.userInfoRequest(as, app, tokens.access_token, insecure),
    );
    expect(info).toEqual({
      sub: aliceId,
      preferred_username: 'alice',
      updated_at: expect.any(Number),
      email: 'alice@hotel.test',
      email_verified: false,
    });
    // Userinfo answering another subject than the ID token's is caught by the library.
    await expect(
      oauth.processUserInfoResponse(
        as,
        app,
        'someone-else',
        await oauth.userInfoRequest(as, app, tokens.access_token, insecure),
      ),
    ).rejects.toThrow(/"sub"/);
  });

  it('a refresh returns an ID token the library accepts for the same subject', async () => {
    const { tokens } = await signIn('openid profile');
    const first = oauth.getValidatedIdTokenClaims(tokens)!;
    const response = await oauth.refreshTokenGrantRequest(
      as,
      app,
      oauth.None(),
      tokens.refresh_token!,
      insecure,
    );
    const refreshed = await oauth.processRefreshTokenResponse(as, app, response);
    const again = oauth.getValidatedIdTokenClaims(refreshed)!;
    expect(again).toMatchObject({ sub: first.sub, sid: first['sid'], auth_time: first.auth_time });
    await oauth.validateApplicationLevelSignature(as, response, insecure);
  });

  it('an ID token for one client fails validation by another', async () => {
    const res = await oauth.genericTokenEndpointRequest(
      as,
      app,
      oauth.None(),
      'password',
      { username: 'alice', password: PASSWORD, scope: 'openid' },
      insecure,
    );
    await expect(
      oauth.processGenericTokenEndpointResponse(as, { client_id: 'other-app' }, res),
    ).rejects.toThrow(/aud/i);
  });

  it('DPoP end to end: a bound card reads userinfo with the library’s proofs', async () => {
    const dpop = oauth.DPoP(app, await oauth.generateKeyPair('ES256'));
    const { tokens } = await signIn('openid profile', { DPoP: dpop });
    expect(tokens.token_type).toBe('dpop');
    const info = await oauth.processUserInfoResponse(
      as,
      app,
      aliceId,
      await oauth.userInfoRequest(as, app, tokens.access_token, { ...insecure, DPoP: dpop }),
    );
    expect(info).toMatchObject({ sub: aliceId, preferred_username: 'alice' });
    // Without the proof (sent as Bearer) the bound card is refused with a challenge.
    const bearer = await oauth.userInfoRequest(as, app, tokens.access_token, insecure);
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});

describe('discovery and identity scopes', () => {
  it('advertises an identity scope only when a client offers it, never from a role', async () => {
    const r = await startServer({ databaseUrl: 'memory' });
    try {
      const ctx = r.server.services;
      await ctx.storage.roles.upsert({ name: 'guest', scopes: ['openid', 'pool'], createdAt: ctx.clock() });
      const before = (await getJson(`${r.url}/.well-known/openid-configuration`)).body;
      expect(before.scopes_supported).toContain('pool');
      expect(before.scopes_supported).not.toContain('openid');
      await createClient(ctx, {
        id: 'app',
        type: 'public',
        firstParty: true,
        grants: ['password'],
        audiences: ['keycard'],
        scopes: ['openid'],
      });
      const after = (await getJson(`${r.url}/.well-known/oauth-authorization-server`)).body;
      expect(after.scopes_supported).toContain('openid');
      expect(after.scopes_supported).not.toContain('profile');
    } finally {
      await r.close();
    }
  });
});

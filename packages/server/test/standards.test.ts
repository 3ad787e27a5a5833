import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, getJson, postForm, postJson, type Running, startServer } from './helpers.js';
import { fakeWebApp } from './support/authorize-flow.js';

const PASSWORD = 'correct horse battery';

describe('standards that real clients rely on', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('RFC 7662: a token_type_hint naming the wrong type falls back to the other type', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const { secret } = await createClient(r.server.services, {
      id: 'desk',
      type: 'confidential',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard'],
      scopes: ['admin'],
    });
    await addUser(r, 'alice', PASSWORD);
    const basic = { authorization: `Basic ${Buffer.from(`desk:${secret}`).toString('base64')}` };
    const tokens = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', username: 'alice', password: PASSWORD },
      basic,
    );
    expect(tokens.status).toBe(200);
    const introspect = (token: string, hint: string) =>
      postForm(`${r!.url}/oauth/introspect`, { token, token_type_hint: hint }, basic);

    const access = await introspect(tokens.body.access_token, 'refresh_token');
    expect(access.body).toMatchObject({ active: true, token_type: 'Bearer', client_id: 'desk' });
    const refresh = await introspect(tokens.body.refresh_token, 'access_token');
    expect(refresh.body).toMatchObject({ active: true, token_type: 'refresh_token', client_id: 'desk' });
    expect((await introspect(tokens.body.access_token, 'something_else')).body.active).toBe(true);
    expect((await introspect('not-a-token', 'refresh_token')).body).toEqual({ active: false });
  });

  it('a wrong method on a known path answers 405 with Allow, not 404', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const cases: Array<[string, string, string]> = [
      ['GET', '/oauth/token', 'POST'],
      ['PUT', '/oauth/revoke', 'POST'],
      ['GET', '/oauth/introspect', 'POST'],
      ['DELETE', '/.well-known/jwks.json', 'GET'],
      ['POST', '/.well-known/openid-configuration', 'GET'],
      ['GET', '/api/login', 'POST'],
    ];
    for (const [method, path, expected] of cases) {
      const res = await fetch(`${r.url}${path}?x=1`, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      const allow = (res.headers.get('allow') ?? '').split(', ');
      expect(allow).toContain(expected);
      expect(allow).not.toContain(method);
      const body = await res.json();
      if (path.startsWith('/oauth/')) {
        expect(body).toMatchObject({ error: 'invalid_request', code: 'ERR_METHOD_NOT_ALLOWED' });
      } else {
        expect(body.error.code).toBe('ERR_METHOD_NOT_ALLOWED');
      }
    }
    const options = await fetch(`${r.url}/oauth/token`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toContain('POST');
    const unknown = await fetch(`${r.url}/oauth/nothing-here`);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).code).toBe('ERR_NOT_FOUND');
  });

  it('discovery advertises only what is served: no web app, no authorization nor end-session endpoint', async () => {
    r = await startServer({ databaseUrl: 'memory', ui: { enabled: false } });
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const meta = (await getJson(`${r.url}${path}`)).body;
      for (const member of [
        'authorization_endpoint',
        'end_session_endpoint',
        'registration_endpoint',
        'code_challenge_methods_supported',
        'response_modes_supported',
      ]) {
        expect(meta, member).not.toHaveProperty(member);
      }
      expect(meta.response_types_supported).toEqual([]);
      expect(meta.grant_types_supported).not.toContain('authorization_code');
      await everyAdvertisedThingIsServed(meta);
    }
  });

  it('discovery with the sign-in pages served: the code flow, PKCE S256, iss, logout; each endpoint answers', async () => {
    const web = fakeWebApp();
    try {
      r = await startServer({ databaseUrl: 'memory', ui: { staticDir: web.dir } });
      for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
        const meta = (await getJson(`${r.url}${path}`)).body;
        expect(meta).toMatchObject({
          authorization_endpoint: `${r.url}/oauth/authorize`,
          end_session_endpoint: `${r.url}/oauth/logout`,
          response_types_supported: ['code'],
          response_modes_supported: ['query'],
          code_challenge_methods_supported: ['S256'],
          authorization_response_iss_parameter_supported: true,
          backchannel_logout_supported: true,
          backchannel_logout_session_supported: true,
          request_uri_parameter_supported: false,
        });
        expect(meta.grant_types_supported).toContain('authorization_code');
        expect(meta.token_endpoint_auth_methods_supported).toEqual(
          expect.arrayContaining(['private_key_jwt', 'client_secret_basic', 'none']),
        );
        expect(meta.token_endpoint_auth_signing_alg_values_supported).not.toContain('HS256');
        expect(meta.introspection_endpoint_auth_methods_supported).not.toContain('none');
        expect(meta).not.toHaveProperty('registration_endpoint');
        await everyAdvertisedThingIsServed(meta);
      }
    } finally {
      web.remove();
    }
  });

  /** Every advertised endpoint answers (no 404/405) and every advertised grant is known. */
  async function everyAdvertisedThingIsServed(meta: Record<string, unknown>): Promise<void> {
    if (r === undefined) throw new Error('no server');
    expect(meta.userinfo_endpoint).toBe(`${r.url}/oauth/userinfo`);
    expect(meta.id_token_signing_alg_values_supported).toEqual(['ES256']);
    expect(meta.subject_types_supported).toEqual(['public']);
    for (const [member, value] of Object.entries(meta)) {
      if (!/_(endpoint|uri)$/.test(member)) continue;
      expect(String(value).startsWith(r.url), member).toBe(true);
      const method = /^(token|revocation|introspection)_endpoint$/.test(member) ? 'POST' : 'GET';
      const res = await fetch(String(value), {
        method,
        redirect: 'manual',
        signal: AbortSignal.timeout(5000),
      });
      await res.body?.cancel();
      expect([404, 405], `${member} ${value}`).not.toContain(res.status);
    }
    for (const grant of meta.grant_types_supported as string[]) {
      const res = await postForm(`${r.url}/oauth/token`, { grant_type: grant, client_id: 'keycard-web' });
      expect(res.body.error, grant).not.toBe('unsupported_grant_type');
    }
  }

  it('RFC 8414: an issuer with a path is served under it, metadata at both well-known places', async () => {
    const issuer = 'https://auth.example.test/kc';
    r = await startServer({ issuer });
    await addUser(r, 'alice', PASSWORD);
    const rfc8414 = await getJson(`${r.url}/.well-known/oauth-authorization-server/kc`);
    expect(rfc8414.status).toBe(200);
    expect(rfc8414.body).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
    });
    const oidc = await getJson(`${r.url}/kc/.well-known/openid-configuration`);
    expect(oidc.body).toEqual(rfc8414.body);
    const jwks = await getJson(`${r.url}/kc/.well-known/jwks.json`);
    expect(jwks.body.keys.length).toBeGreaterThan(0);

    const login = await postJson(`${r.url}/kc/api/login?via=path`, { username: 'alice', password: PASSWORD });
    expect(login.status).toBe(200);
    const payload = JSON.parse(Buffer.from(login.body.access_token.split('.')[1], 'base64url').toString());
    expect(payload.iss).toBe(issuer);
    const me = await getJson(`${r.url}/kc/api/me`, { authorization: `Bearer ${login.body.access_token}` });
    expect(me.status).toBe(200);
    const token = await postForm(`${r.url}/kc/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: login.body.refresh_token,
      client_id: 'keycard-web',
    });
    expect(token.status).toBe(200);
    expect((await fetch(`${r.url}/kc/oauth/token`)).status).toBe(405);
    expect((await getJson(`${r.url}/kc/healthz`)).body).toEqual({ status: 'ok' });

    // Outside the issuer's path nothing is served, so no second, unprefixed API exists.
    for (const path of ['/.well-known/openid-configuration', '/api/me', '/kcx/healthz', '/healthz']) {
      expect((await fetch(`${r.url}${path}`)).status, path).toBe(404);
    }
    expect((await postForm(`${r.url}/oauth/token`, { grant_type: 'password' })).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, postForm, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';

/** Every route the server registers (the test below checks this list is complete). */
const ROUTES: Array<[string, string]> = [
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/metrics'],
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/oauth-authorization-server'],
  ['GET', '/.well-known/jwks.json'],
  ['GET', '/oauth/authorize'],
  ['POST', '/oauth/authorize'],
  ['POST', '/oauth/token'],
  ['POST', '/oauth/revoke'],
  ['POST', '/oauth/introspect'],
  ['GET', '/oauth/userinfo'],
  ['POST', '/oauth/userinfo'],
  ['GET', '/oauth/logout'],
  ['POST', '/oauth/logout'],
  ['POST', '/api/authorize/logout/details'],
  ['POST', '/api/authorize/logout'],
  ['POST', '/api/login'],
  ['POST', '/api/login/code'],
  ['POST', '/api/refresh'],
  ['POST', '/api/logout'],
  ['POST', '/api/logout-all'],
  ['GET', '/api/me'],
  ['GET', '/api/sessions'],
  ['DELETE', '/api/sessions/:id'],
  ['GET', '/api/account/consents'],
  ['DELETE', '/api/account/consents/:clientId'],
  ['POST', '/api/password'],
  ['POST', '/api/register'],
  ['GET', '/api/account/mfa'],
  ['PATCH', '/api/account/passkeys/:id'],
  ['DELETE', '/api/account/passkeys/:id'],
  ['DELETE', '/api/account/mfa/totp'],
  ['POST', '/api/account/mfa/recovery-codes'],
  ['POST', '/api/mfa/totp/start'],
  ['POST', '/api/mfa/totp/confirm'],
  ['POST', '/api/mfa/passkeys/options'],
  ['POST', '/api/mfa/passkeys'],
  ['POST', '/api/password/forgot'],
  ['POST', '/api/password/reset'],
  ['POST', '/api/signup'],
  ['POST', '/api/email/verify'],
  ['PUT', '/api/account/email'],
  ['GET', '/api/ui-config'],
  ['POST', '/api/inspect'],
  ['POST', '/api/authorize/details'],
  ['POST', '/api/authorize/login'],
  ['POST', '/api/authorize/consent'],
  ['POST', '/api/authorize/continue'],
  ['POST', '/api/authorize/mfa'],
  ['POST', '/api/authorize/passkey/options'],
  ['POST', '/api/authorize/passkey'],
  ['GET', '/revocations'],
  ['GET', '/revocations/stream'],
  ['GET', '/api/admin/users'],
  ['POST', '/api/admin/users'],
  ['PATCH', '/api/admin/users/:id'],
  ['DELETE', '/api/admin/users/:id'],
  ['GET', '/api/admin/users/:id/mfa'],
  ['DELETE', '/api/admin/users/:id/mfa'],
  ['GET', '/api/admin/clients'],
  ['POST', '/api/admin/clients'],
  ['PATCH', '/api/admin/clients/:id'],
  ['DELETE', '/api/admin/clients/:id'],
  ['GET', '/api/admin/audiences'],
  ['POST', '/api/admin/audiences'],
  ['DELETE', '/api/admin/audiences/:id'],
  ['GET', '/api/admin/roles'],
  ['POST', '/api/admin/roles'],
  ['DELETE', '/api/admin/roles/:name'],
  ['GET', '/api/admin/keys'],
  ['POST', '/api/admin/keys/rotate'],
  ['POST', '/api/admin/keys/:kid/revoke'],
  ['GET', '/api/admin/sessions'],
  ['DELETE', '/api/admin/sessions/:id'],
  ['GET', '/api/admin/audit'],
];

const BODIES: Array<[string, string | undefined, string]> = [
  ['malformed JSON', '{"username": "a",', 'application/json'],
  ['empty JSON body', '', 'application/json'],
  ['JSON null', 'null', 'application/json'],
  ['JSON array', '[1,2,3]', 'application/json'],
  ['JSON string', '"hello"', 'application/json'],
  [
    'wrong types',
    JSON.stringify({
      username: 5,
      password: ['x'],
      token: {},
      grant_type: 7,
      refresh_token: 1,
      id: 3,
      name: false,
      scopes: 'x',
      roles: 'x',
      type: 'x',
      grants: 'x',
      cookie: 'yes',
      currentPassword: 1,
      newPassword: 2,
      disabled: 'no',
      claims: 3,
    }),
    'application/json',
  ],
  ['missing fields', '{}', 'application/json'],
  [
    'unicode garbage',
    JSON.stringify({
      username: '\u0000\u202e\ud83d\ude00ä'.repeat(30),
      password: '\u0000',
      token: '\u202e.\u202e.\u202e',
      grant_type: 'pässword',
      id: '\u0000',
    }),
    'application/json',
  ],
  ['prototype pollution', '{"__proto__": {"admin": true}, "username": "a"}', 'application/json'],
  ['huge body', JSON.stringify({ username: 'a'.repeat(100_000), password: 'b' }), 'application/json'],
  ['unsupported content type', 'username=a', 'text/plain'],
  [
    'form with repeated params',
    'grant_type=password&grant_type=refresh_token',
    'application/x-www-form-urlencoded',
  ],
  ['form garbage', '%%%&&&===', 'application/x-www-form-urlencoded'],
];

describe('bad input never produces a 500', () => {
  let r: Running;
  let admin: string;
  beforeAll(async () => {
    r = await startServer({
      registration: { enabled: true },
      throttle: { enabled: false },
      ui: { enabled: false },
    });
    await addUser(r, 'boss', PASSWORD, ['manager']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
  });
  afterAll(() => r.close());

  it('the route table is complete', () => {
    for (const [method, url] of ROUTES) {
      expect(r.server.app.hasRoute({ method: method as 'GET', url }), `${method} ${url}`).toBe(true);
    }
    const printed = r.server.app.printRoutes({ commonPrefix: false });
    const methods = [...printed.matchAll(/\(([A-Z, ]+)\)/g)].flatMap((m) =>
      m[1]!.split(', ').filter((x) => x !== 'HEAD'),
    );
    expect(methods.length).toBe(ROUTES.length);
  });

  for (const [method, path] of ROUTES.filter(([m]) => m !== 'GET')) {
    it(`${method} ${path}`, async () => {
      const url = `${r.url}${path.replace(/:(id|name|clientId)/, 'some-id\u00e9')}`;
      for (const [label, body, type] of BODIES) {
        for (const auth of [true, false]) {
          const res = await fetch(url, {
            method,
            headers: { 'content-type': type, ...(auth ? { authorization: `Bearer ${admin}` } : {}) },
            ...(body !== undefined && method !== 'GET' ? { body } : {}),
          });
          const text = await res.text();
          const context = `${label} (auth: ${auth}) -> ${res.status} ${text.slice(0, 200)}`;
          expect(res.status, context).toBeLessThan(500);
          const html = res.headers.get('content-type')?.startsWith('text/html') === true;
          if (res.status >= 400 && html) {
            // Browser endpoints answer with the server's own HTML page (a body the form parser
            // refuses is still the JSON error, from before the route runs).
            expect(['/oauth/authorize', '/oauth/logout'], context).toContain(path);
            expect([400, 413, 415], context).toContain(res.status);
          } else if (res.status >= 400) {
            const parsed = JSON.parse(text);
            if (path.startsWith('/oauth/')) {
              expect(parsed.error, context).toBeTypeOf('string');
              expect(parsed.code, context).toMatch(/^ERR_/);
            } else {
              expect(parsed.error.code, context).toMatch(/^ERR_/);
            }
          }
        }
      }
    });
  }

  it('GET routes with garbage queries and headers', async () => {
    for (const [, path] of ROUTES.filter(([m, p]) => m === 'GET' && p !== '/revocations/stream')) {
      for (const query of ['', '?limit=-1&offset=x&after=%00&wait=99&since=abc&before=-5&type=%E2%80%AE']) {
        const res = await fetch(`${r.url}${path}${query}`, {
          headers: { authorization: `Bearer ${admin}`, 'last-event-id': 'x' },
        });
        expect(res.status, `${path}${query}`).toBeLessThan(500);
      }
    }
    const res = await fetch(`${r.url}/api/me`, {
      headers: { authorization: 'Bearer \u00e9' as string },
    }).catch(() => undefined);
    expect(res === undefined || res.status < 500).toBe(true);
  });

  it('OAuth errors: unknown grant, wrong client secret, missing fields', async () => {
    const unknown = await postForm(`${r.url}/oauth/token`, { grant_type: 'urn:made:up' });
    expect(unknown).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    const missing = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      client_id: 'keycard-web',
    });
    expect(missing).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', code: 'ERR_VALIDATION' },
    });
    const noClient = await postForm(`${r.url}/oauth/token`, { grant_type: 'client_credentials' });
    expect(noClient.status).toBe(401);
    expect(noClient.body.error).toBe('invalid_client');
    expect(noClient.headers.get('www-authenticate')).toMatch(/^Basic/);
    const basic = `Basic ${Buffer.from('keycard-web:secret').toString('base64')}`;
    const publicWithSecret = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', username: 'boss', password: PASSWORD },
      { authorization: basic },
    );
    expect(publicWithSecret.body.error).toBe('invalid_client');
    const unknownClient = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      username: 'boss',
      password: PASSWORD,
      client_id: 'who',
    });
    expect(unknownClient.body.error).toBe('invalid_client');
    const badScope = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      username: 'boss',
      password: PASSWORD,
      client_id: 'keycard-web',
      scope: 'bad"scope',
    });
    expect(badScope.body.error).toBe('invalid_scope');
    const badAudience = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      username: 'boss',
      password: PASSWORD,
      client_id: 'keycard-web',
      audience: 'elsewhere',
    });
    expect(badAudience.body.error).toBe('invalid_target');
    const badRefresh = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'made-up',
      client_id: 'keycard-web',
    });
    expect(badRefresh.body.error).toBe('invalid_grant');
  });

  it('unicode usernames: normalised, case-insensitive, control characters refused', async () => {
    const composed = 'Ren\u00e9e';
    const decomposed = 'Rene\u0301e';
    const created = await postJson(`${r.url}/api/register`, { username: decomposed, password: PASSWORD });
    expect(created.status).toBe(201);
    expect(created.body.username).toBe(composed);
    expect((await postJson(`${r.url}/api/login`, { username: 'RENÉE', password: PASSWORD })).status).toBe(
      200,
    );
    for (const bad of ['a\u0000b', 'a\u202eb', ' ', '', 'x'.repeat(65), 'tab\tname']) {
      const res = await postJson(`${r.url}/api/register`, { username: bad, password: PASSWORD });
      expect(res.body.error.code, JSON.stringify(bad)).toBe('ERR_INVALID_USERNAME');
    }
  });

  it('huge bodies get 413 ERR_BODY_TOO_LARGE', async () => {
    const res = await postJson(`${r.url}/api/login`, { username: 'a'.repeat(70_000), password: 'b' });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('ERR_BODY_TOO_LARGE');
  });
});

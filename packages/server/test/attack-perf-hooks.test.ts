// An outsider's attack on the Fastify hooks the token-endpoint work rescoped (callback hooks, the
// JSON-only check added per route in onRoute instead of one hook on every request): the security
// headers on every kind of answer, 415 for a form/multipart/text POST to every JSON-only route
// (enumerated from the protocol's route tables), and CORS refusals as before. Real server, loopback.
import { AUTHORIZE_API, EMAIL_API, MFA_API } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addAudience, type Running, startServer } from './helpers.js';

const APP = 'https://app.test';
let r: Running;
let basic: string;

async function send(
  method: string,
  path: string,
  opts: { type?: string; body?: string | Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${r.url}${path}`, {
    method,
    headers: { ...(opts.type === undefined ? {} : { 'content-type': opts.type }), ...opts.headers },
    ...(opts.body === undefined ? {} : { body: opts.body }),
  });
  const text = await res.text();
  let body: { error?: unknown; code?: unknown } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body };
}

type Answer = Awaited<ReturnType<typeof send>>;

/** The headers every answer carries; no-store on /api and /oauth; the CSP on HTML. */
function secured(res: Answer, path: string, label: string): void {
  expect(res.status, label).not.toBe(500);
  expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), label).toBe('DENY');
  expect(res.headers.get('referrer-policy'), label).toBe('no-referrer');
  if (path.startsWith('/api/') || path.startsWith('/oauth/')) {
    expect(res.headers.get('cache-control'), label).toContain('no-store');
  }
  if ((res.headers.get('content-type') ?? '').startsWith('text/html')) {
    expect(res.headers.get('content-security-policy'), label).toContain("frame-ancestors 'none'");
  }
}

beforeAll(async () => {
  r = await startServer({ cors: { origins: [APP] } });
  await addAudience(r, 'rooms', ['rooms:read'], 'Rooms');
  const { secret } = await createClient(r.server.services, {
    id: 'desk',
    type: 'confidential',
    grants: ['client_credentials'],
    audiences: ['rooms'],
    scopes: ['rooms:read'],
  });
  basic = `Basic ${Buffer.from(`desk:${secret}`).toString('base64')}`;
});
afterAll(() => r.close());

const FORM = 'application/x-www-form-urlencoded';
const CC = 'grant_type=client_credentials&resource=rooms';

describe('security headers on every kind of answer', () => {
  it('/oauth/token: 200, 400, 401, 404, 405, 413, 415', async () => {
    const cases: Array<[number[], string, string, Parameters<typeof send>[2]]> = [
      [[200], 'POST', '/oauth/token', { type: FORM, body: CC, headers: { authorization: basic } }],
      [
        [400],
        'POST',
        '/oauth/token',
        { type: FORM, body: 'grant_type=nope', headers: { authorization: basic } },
      ],
      [
        [401],
        'POST',
        '/oauth/token',
        { type: FORM, body: CC, headers: { authorization: 'Basic ZGVzazpubw==' } },
      ],
      // An unknown /oauth/ path answers in OAuth form (errors.ts maps a 404 to 400 there).
      [[400, 404], 'POST', '/oauth/nope', { type: FORM, body: CC }],
      [[405], 'GET', '/oauth/token', {}],
      [[405], 'PUT', '/oauth/token', { type: FORM, body: CC }],
      [[413], 'POST', '/oauth/token', { type: FORM, body: `${CC}&p=${'x'.repeat(70_000)}` }],
      [[415], 'POST', '/oauth/token', { body: new Uint8Array(Buffer.from(CC)) }],
      [[415], 'POST', '/oauth/token', { type: 'application/octet-stream', body: CC }],
    ];
    for (const [statuses, method, path, opts] of cases) {
      const res = await send(method, path, opts);
      const label = `${method} ${path} ${res.status}`;
      expect(statuses, label).toContain(res.status);
      secured(res, path, label);
      if (res.status >= 400) expect(res.body?.error, label).toBeTypeOf('string');
    }
  });

  it('/oauth/authorize, /api/*, /.well-known/*: success, client errors, 404, 405, 415', async () => {
    const cases: Array<[string, string, Parameters<typeof send>[2]]> = [
      ['GET', '/oauth/authorize', {}],
      ['GET', '/oauth/authorize?client_id=nobody&response_type=code', {}],
      ['POST', '/oauth/authorize', { type: FORM, body: 'a=b' }],
      ['DELETE', '/oauth/authorize', {}],
      ['GET', '/api/me', {}],
      ['GET', '/api/me', { headers: { authorization: 'Bearer x.y.z' } }],
      ['DELETE', '/api/me', {}],
      ['GET', '/api/nope', {}],
      ['POST', AUTHORIZE_API.login, { type: FORM, body: 'username=a' }],
      ['POST', AUTHORIZE_API.login, { type: 'application/json', body: '{' }],
      ['POST', MFA_API.totpStart, { type: 'text/plain', body: '{}' }],
      ['GET', '/.well-known/openid-configuration', {}],
      ['GET', '/.well-known/jwks.json', {}],
      ['POST', '/.well-known/jwks.json', { type: FORM, body: 'a=b' }],
      ['GET', '/.well-known/nope', {}],
      ['GET', '/oauth/introspect', {}],
      ['POST', '/oauth/introspect', { type: FORM, body: 'token=x' }],
      ['POST', '/oauth/revoke', { type: 'text/plain', body: 'token=x' }],
    ];
    const seen = new Set<number>();
    for (const [method, path, opts] of cases) {
      const res = await send(method, path, opts);
      seen.add(res.status);
      secured(res, path.split('?')[0]!, `${method} ${path} ${res.status}`);
    }
    for (const status of [200, 400, 401, 404, 405, 415]) expect([...seen]).toContain(status);
  });
});

describe('JSON only: every route under /api/authorize/ and /api/mfa/, and the email API', () => {
  const routes: Array<[string, string]> = [
    ...Object.values(AUTHORIZE_API).map((p): [string, string] => ['POST', p]),
    ...Object.values(MFA_API)
      .filter((p) => p.startsWith('/api/mfa/'))
      .map((p): [string, string] => ['POST', p]),
    ...Object.entries(EMAIL_API).map(([name, p]): [string, string] => [
      name === 'accountEmail' ? 'PUT' : 'POST',
      p,
    ]),
  ];

  it('enumerates what the tables hold', () => {
    expect(routes.length).toBeGreaterThanOrEqual(18);
    expect(routes.map(([, p]) => p)).toContain(EMAIL_API.accountEmail);
  });

  for (const type of [
    FORM,
    'multipart/form-data; boundary=----x',
    'text/plain',
    'text/plain; charset=utf-8',
    'application/jsonx',
    'application/json-patch+json',
    'text/plain; application/json',
    null,
  ]) {
    it(`${type ?? 'no content type'}: 415 on each, before the body or the caller is looked at`, async () => {
      for (const [method, path] of routes) {
        const body = type?.startsWith('multipart/')
          ? '------x\r\nContent-Disposition: form-data; name="username"\r\n\r\nann\r\n------x--\r\n'
          : 'username=ann&password=x';
        const res = await send(method, path, {
          ...(type === null ? { body: new Uint8Array(Buffer.from(body)) } : { type, body }),
          // As a cross-site page would send it: an Origin, cookies the browser adds.
          headers: { origin: 'https://evil.test', cookie: 'kc_session=x' },
        });
        const label = `${method} ${path} ${type} → ${res.status}`;
        expect(res.status, label).toBe(415);
        expect(JSON.stringify(res.body), label).toContain('ERR_UNSUPPORTED_MEDIA_TYPE');
        secured(res, path, label);
        expect(res.headers.get('access-control-allow-origin'), label).toBeNull();
      }
    });
  }

  it('application/json reaches each route (any answer but 415)', async () => {
    for (const [method, path] of routes) {
      const res = await send(method, path, { type: 'application/json; charset=utf-8', body: '{}' });
      expect(res.status, `${method} ${path}`).not.toBe(415);
      expect(res.status, `${method} ${path}`).not.toBe(500);
    }
  });
});

describe('CORS refusals', () => {
  it('the sign-in pages and /oauth/authorize never answer CORS, even to a configured origin', async () => {
    for (const path of [AUTHORIZE_API.login, AUTHORIZE_API.logout, '/oauth/authorize']) {
      for (const origin of [APP, 'https://evil.test', 'null']) {
        const pre = await send('OPTIONS', path, {
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
        expect(pre.headers.get('access-control-allow-origin'), `${path} ${origin}`).toBeNull();
        const post = await send('POST', path, { type: 'application/json', body: '{}', headers: { origin } });
        expect(post.headers.get('access-control-allow-origin'), `${path} ${origin}`).toBeNull();
      }
    }
  });

  it('/api and /oauth answer CORS to the configured origin only; discovery to anyone', async () => {
    for (const path of ['/oauth/token', '/api/me']) {
      const evil = await send('OPTIONS', path, {
        headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' },
      });
      expect(evil.headers.get('access-control-allow-origin'), path).toBeNull();
      const app = await send('OPTIONS', path, {
        headers: { origin: APP, 'access-control-request-method': 'POST' },
      });
      expect(app.headers.get('access-control-allow-origin'), path).toBe(APP);
      expect(app.headers.get('access-control-allow-credentials'), path).toBe('true');
    }
    const token = await send('POST', '/oauth/token', {
      type: FORM,
      body: CC,
      headers: { authorization: basic, origin: 'https://evil.test' },
    });
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBeNull();
    const meta = await send('GET', '/.well-known/openid-configuration', {
      headers: { origin: 'https://evil.test' },
    });
    expect(meta.headers.get('access-control-allow-origin')).toBe('*');
    expect(meta.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('an issuer with a path (rewritten URLs) and https', () => {
  it('the rescoped hooks still apply under /kc: 415, no-store, frame and HSTS headers', async () => {
    const prefixed = await startServer({ issuer: 'https://id.test/kc' });
    try {
      const cases: Array<[string, string, string | undefined, number]> = [
        ['POST', `/kc${AUTHORIZE_API.login}`, FORM, 415],
        ['POST', `/kc${MFA_API.totpStart}`, 'text/plain', 415],
        ['POST', `/kc${EMAIL_API.forgotPassword}`, 'text/plain', 415],
        ['GET', '/kc/oauth/token', undefined, 405],
        ['POST', '/kc/oauth/token', 'text/plain', 400],
        ['GET', '/kc/api/me', undefined, 401],
        ['GET', '/kc/oauth/authorize', undefined, 400],
      ];
      for (const [method, path, type, status] of cases) {
        const res = await fetch(`${prefixed.url}${path}`, {
          method,
          headers: type === undefined ? {} : { 'content-type': type },
          ...(method === 'POST' ? { body: 'a=b' } : {}),
        });
        await res.text();
        const label = `${method} ${path}`;
        expect(res.status, label).toBe(status);
        expect(res.headers.get('cache-control'), label).toContain('no-store');
        expect(res.headers.get('x-frame-options'), label).toBe('DENY');
        expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
        expect(res.headers.get('strict-transport-security'), label).toBe('max-age=31536000');
      }
    } finally {
      await prefixed.close();
    }
  });
});

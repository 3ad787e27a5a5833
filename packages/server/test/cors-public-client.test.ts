// CORS for a single-page app on its own origin (a public client): with the origin in
// `cors.origins`, the browser may call /oauth/token (with DPoP), /oauth/userinfo (Authorization +
// DPoP) and /oauth/revoke, and read their refusals and challenges; other origins may not, and
// /oauth/authorize is never CORS. An origin written with a path or a trailing slash is refused at
// start-up instead of never matching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { postForm, type Running, startServer } from './helpers.js';

const APP = 'https://photos.example';
let r: Running;

beforeAll(async () => {
  r = await startServer({ cors: { origins: [APP] } });
});
afterAll(async () => {
  await r?.close();
});

function preflight(path: string, origin: string, method: string, headers: string) {
  return fetch(`${r.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': headers,
    },
  });
}

describe('CORS for a public client in the browser', () => {
  it('preflights of the token, userinfo and revocation requests are allowed for a listed origin', async () => {
    for (const [path, method, headers] of [
      ['/oauth/token', 'POST', 'dpop'],
      ['/oauth/userinfo', 'GET', 'authorization,dpop'],
      ['/oauth/revoke', 'POST', 'content-type'],
    ] as const) {
      const res = await preflight(path, APP, method, headers);
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(APP);
      expect(res.headers.get('access-control-allow-methods')).toContain(method);
      for (const header of headers.split(','))
        expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(header);
    }
  });

  it('answers, refusals included, carry the origin and expose the DPoP challenge', async () => {
    const token = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'authorization_code', client_id: 'nobody', code: 'x', redirect_uri: `${APP}/` },
      { origin: APP },
    );
    expect(token.status).toBe(400);
    expect(token.headers.get('access-control-allow-origin')).toBe(APP);

    const userinfo = await fetch(`${r.url}/oauth/userinfo`, {
      headers: { origin: APP, authorization: 'DPoP not-a-card' },
    });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('access-control-allow-origin')).toBe(APP);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/^DPoP /);
    expect(userinfo.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
    expect(userinfo.headers.get('access-control-expose-headers')).toMatch(/DPoP-Nonce/);

    const revoke = await postForm(
      `${r.url}/oauth/revoke`,
      { token: 'x', client_id: 'nobody' },
      { origin: APP },
    );
    expect(revoke.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('other origins get no CORS headers, and /oauth/authorize none for anyone', async () => {
    const other = await preflight('/oauth/token', 'https://evil.example', 'POST', 'dpop');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'x' },
      { origin: 'https://evil.example' },
    );
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const authorize = await fetch(`${r.url}/oauth/authorize?client_id=x`, {
      headers: { origin: APP },
      redirect: 'manual',
    });
    expect(authorize.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('cors.origins takes origins only: a path, a trailing slash or upper case is refused, naming the origin', () => {
    expect(parseConfig({ cors: { origins: [APP, '*', 'http://127.0.0.1:5173'] } }).cors.origins).toHaveLength(
      3,
    );
    for (const [written, origin] of [
      [`${APP}/`, APP],
      [`${APP}/app`, APP],
      ['HTTPS://Photos.Example', APP],
      ['http://127.0.0.1:80', 'http://127.0.0.1'],
    ]) {
      expect(() => parseConfig({ cors: { origins: [written] } }), written).toThrow(
        `cors.origins.0: must be an origin: ${origin}`,
      );
    }
  });
});

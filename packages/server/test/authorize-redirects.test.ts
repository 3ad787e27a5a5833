// GET /oauth/authorize over real HTTP: where the browser may be sent. Never to an unregistered
// place (an HTML page instead, whatever else the request says), and to a registered redirect URI
// only with keycard's own words, the request's state and iss.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from './helpers.js';
import {
  addCodeClient,
  answerOf,
  Browser,
  interactionOf,
  REDIRECT,
  requestParams,
  signedInBrowser,
  startSeededAuthorizeServer,
} from './support/authorize-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startSeededAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startSeededAuthorizeServer());
});
afterAll(async () => {
  await r?.close();
});

function expectClientAnswer(location: string | null, expected: Record<string, string>) {
  const answer = answerOf(location);
  expect(answer).toMatchObject({ ...expected, iss: r.url });
  return answer;
}

describe('never a redirect while the client or redirect URI is in doubt', () => {
  const attempts: [string, string | undefined][] = [
    ['another host', 'https://evil.example/cb'],
    ['a userinfo trick', 'https://app.example.com@evil.example/cb'],
    ['userinfo before the right host', 'https://evil.example@app.example.com/cb'],
    ['path traversal', 'https://app.example.com/cb/../../evil'],
    ['encoded path traversal', 'https://app.example.com/cb%2F..%2F..%2Fevil'],
    ['an extra query', 'https://app.example.com/cb?next=https://evil.example'],
    ['an upper-case host', 'https://APP.EXAMPLE.COM/cb'],
    ['an upper-case path', 'https://app.example.com/CB'],
    ['a fragment', 'https://app.example.com/cb#https://evil.example'],
    ['percent-encoded characters', 'https://app.example.com/%63b'],
    ['a trailing dot host', 'https://app.example.com./cb'],
    ['the default port written out', 'https://app.example.com:443/cb'],
    ['a trailing slash', 'https://app.example.com/cb/'],
    ['a scheme-relative URI', '//evil.example/cb'],
    ['http instead of https', 'http://app.example.com/cb'],
    ['a javascript: URI', 'javascript:alert(1)//https://app.example.com/cb'],
    ['a leading space', ' https://app.example.com/cb'],
    ['a trailing newline', 'https://app.example.com/cb\n'],
    ['no redirect_uri', undefined],
  ];

  it.each(attempts)('%s: 400 page, no Location, nothing reflected', async (_, redirectUri) => {
    const browser = await signedInBrowser(r, clock);
    const params = requestParams('spa', { prompt: 'none' });
    if (redirectUri === undefined) delete params.redirect_uri;
    else params.redirect_uri = redirectUri;
    const res = await browser.authorize(r.url, params);
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.body).not.toMatch(/evil|alert|code=/i);
    expect(res.body).not.toContain('st-123');
  });

  it('an unknown client, a repeated client_id or redirect_uri: the page', async () => {
    for (const query of [
      requestParams('nobody'),
      [...Object.entries(requestParams('spa')), ['client_id', 'desk']] as [string, string][],
      [...Object.entries(requestParams('spa')), ['redirect_uri', 'https://evil.example/cb']] as [
        string,
        string,
      ][],
    ]) {
      const res = await new Browser().authorize(r.url, query);
      expect(res.status).toBe(400);
      expect(res.location).toBeNull();
      expect(res.body).not.toContain('evil');
    }
  });

  it('the page is locked down: strict CSP, no framing, not cached, nothing of the request in it', async () => {
    const bait = '<script>alert("x")</script>';
    const res = await new Browser().authorize(r.url, requestParams(bait));
    expect(res.status).toBe(400);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).not.toContain('script');
    expect(res.body).toContain('invalid_client: unknown client_id');
  });
});

describe('what goes back to a registered redirect URI', () => {
  it('missing PKCE, or the plain method: invalid_request with state and iss', async () => {
    const browser = await signedInBrowser(r, clock);
    const noChallenge = requestParams('desk');
    delete noChallenge.code_challenge;
    for (const params of [
      noChallenge,
      requestParams('desk', { code_challenge_method: 'plain' }),
      requestParams('desk', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }),
    ]) {
      const res = await browser.authorize(r.url, params);
      expect(res.status).toBe(303);
      const answer = expectClientAnswer(res.location, { error: 'invalid_request', state: 'st-123' });
      expect(answer.code).toBeUndefined();
    }
  });

  it('values that try to inject stay inside their parameter', async () => {
    const browser = await signedInBrowser(r, clock);
    const state =
      'x&code=forged&iss=https://evil.example&redirect_uri=https://evil.example/#frag\r\nSet-Cookie: a=b';
    const res = await browser.authorize(
      r.url,
      requestParams('desk', {
        state,
        nonce: 'n\r\nLocation: https://evil.example',
        login_hint: '"><script>alert(1)</script>',
        scope: 'openid rooms:open https://evil.example',
      }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie') ?? '').not.toContain('a=b');
    const url = new URL(res.location ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(REDIRECT);
    expect(url.hash).toBe('');
    expect(url.searchParams.getAll('state')).toEqual([state]);
    expect(url.searchParams.getAll('code')).toHaveLength(1);
    expect(url.searchParams.get('code')).not.toBe('forged');
    expect(url.searchParams.getAll('iss')).toEqual([r.url]);
  });

  it('values that try to inject never reach the pages link', async () => {
    const res = await new Browser().authorize(
      r.url,
      requestParams('spa', {
        state: 'a#/admin',
        login_hint: 'alice&i=forged#x',
        nonce: '"><img src=x>',
      }),
    );
    expect(res.status).toBe(303);
    expect(res.location?.startsWith(`${r.url}/#/authorize?i=`)).toBe(true);
    expect(interactionOf(res.location)).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(res.location).not.toMatch(/admin|forged|img/);
  });

  it('an error_description never repeats the request', async () => {
    const res = await new Browser().authorize(
      r.url,
      requestParams('spa', { prompt: 'call +1 555 0100', response_type: 'token' }),
    );
    const answer = expectClientAnswer(res.location, { state: 'st-123' });
    expect(answer.error_description).not.toContain('555');
  });

  it('a client without the code grant: unauthorized_client', async () => {
    const res = await new Browser().authorize(r.url, requestParams('scripts-only'));
    expectClientAnswer(res.location, { error: 'unauthorized_client', state: 'st-123' });
  });

  it('scopes the client may not have, an unknown or foreign resource: invalid_scope / invalid_target', async () => {
    const scope = await new Browser().authorize(r.url, requestParams('spa', { scope: 'admin pool' }));
    expectClientAnswer(scope.location, { error: 'invalid_scope' });
    for (const resource of ['https://nowhere.example/', 'pool', 'keycard']) {
      const res = await new Browser().authorize(r.url, requestParams('spa', { resource }));
      expectClientAnswer(res.location, { error: 'invalid_target', state: 'st-123' });
    }
  });

  it('a client registered for no audience: invalid_target at once, before any sign-in page', async () => {
    await addCodeClient(r, { id: 'no-door', scopes: ['openid', 'profile'] });
    const signedIn = await signedInBrowser(r, clock);
    for (const browser of [new Browser(), signedIn]) {
      const res = await browser.authorize(r.url, requestParams('no-door'));
      expectClientAnswer(res.location, { error: 'invalid_target', state: 'st-123' });
    }
  });

  it('malformed dpop_jkt: invalid_request', async () => {
    const res = await new Browser().authorize(r.url, requestParams('spa', { dpop_jkt: 'not-a-thumbprint' }));
    expectClientAnswer(res.location, { error: 'invalid_request' });
  });
});

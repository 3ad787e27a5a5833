// GET and POST /oauth/authorize over real HTTP: where the browser may be sent (never to an
// unregistered place), what goes back to the client (always iss, state), and when the sign-in and
// consent pages are skipped or required (prompt, max_age, first-party clients, remembered consent).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/index.js';
import { addUser, type Running } from './helpers.js';
import {
  addCodeClient,
  answerOf,
  Browser,
  interactionOf,
  REDIRECT,
  requestParams,
  signInThroughPages,
  startAuthorizeServer,
} from './support/authorize-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startAuthorizeServer>>['clock'];
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ({ running: r, clock } = await startAuthorizeServer());
  const { storage } = r.server.services;
  await storage.audiences.upsert({
    id: 'rooms',
    name: 'Rooms',
    scopes: ['rooms:open'],
    uri: 'https://rooms.example/',
    createdAt: 0,
  });
  await storage.audiences.upsert({ id: 'pool', name: 'Pool', scopes: ['pool'], uri: null, createdAt: 0 });
  await storage.roles.upsert({ name: 'guest', scopes: ['rooms:open', 'pool'], createdAt: 0 });
  await addUser(r, 'alice', PASSWORD);
  await addCodeClient(r, {
    id: 'spa',
    scopes: ['openid', 'profile', 'rooms:open', 'offline_access'],
    audiences: ['rooms'],
  });
  await addCodeClient(r, {
    id: 'desk',
    firstParty: true,
    scopes: ['openid', 'rooms:open'],
    audiences: ['rooms'],
  });
  await addCodeClient(r, { id: 'scripts-only', grants: ['password'], firstParty: true });
});
afterAll(async () => {
  await r?.close();
});

/** A browser signed in as alice (through a first-party request), a little while ago. */
async function signedInBrowser(): Promise<Browser> {
  const browser = new Browser();
  const answer = await signInThroughPages(r.url, browser, requestParams('desk'), 'alice', PASSWORD);
  expect(answer.redirect).toBeDefined();
  clock.advance(1000);
  return browser;
}

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
    const browser = await signedInBrowser();
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
    const browser = await signedInBrowser();
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
    const browser = await signedInBrowser();
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

  it('malformed dpop_jkt: invalid_request', async () => {
    const res = await new Browser().authorize(r.url, requestParams('spa', { dpop_jkt: 'not-a-thumbprint' }));
    expectClientAnswer(res.location, { error: 'invalid_request' });
  });
});

describe('prompt, max_age and consent', () => {
  it('prompt=none without a browser session: login_required', async () => {
    for (const client of ['spa', 'desk']) {
      const res = await new Browser().authorize(r.url, requestParams(client, { prompt: 'none' }));
      expect(res.status).toBe(303);
      expectClientAnswer(res.location, { error: 'login_required', state: 'st-123' });
    }
  });

  it('prompt=none signed in, a third-party client never allowed: consent_required', async () => {
    const browser = await signedInBrowser();
    const res = await browser.authorize(r.url, requestParams('spa', { prompt: 'none' }));
    expectClientAnswer(res.location, { error: 'consent_required', state: 'st-123' });
  });

  it('a first-party client is never asked: signed in, the code comes at once', async () => {
    const browser = await signedInBrowser();
    const res = await browser.authorize(r.url, requestParams('desk', { prompt: 'consent' }));
    const answer = expectClientAnswer(res.location, { state: 'st-123' });
    expect(answer.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const none = await browser.authorize(r.url, requestParams('desk', { prompt: 'none' }));
    expect(answerOf(none.location).code).toBeDefined();
  });

  it('signed in but not consented: the pages, never a code', async () => {
    const browser = await signedInBrowser();
    const res = await browser.authorize(r.url, requestParams('spa'));
    expect(res.location?.startsWith(`${r.url}/#/authorize?i=`)).toBe(true);
  });

  it('a remembered consent lets prompt=none through; asking for more needs the page again', async () => {
    const browser = await signedInBrowser();
    const start = await browser.authorize(r.url, requestParams('spa', { scope: 'openid rooms:open' }));
    const interaction = interactionOf(start.location);
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.body.step).toBe('consent');
    const allowed = await browser.call(
      r.url,
      'consent',
      { interaction, allow: true },
      { 'x-csrf-token': details.body.csrf },
    );
    expect(answerOf(allowed.body.redirect).code).toBeDefined();

    const silent = await browser.authorize(
      r.url,
      requestParams('spa', { scope: 'openid rooms:open', prompt: 'none' }),
    );
    expect(answerOf(silent.location).code).toBeDefined();
    const fewer = await browser.authorize(r.url, requestParams('spa', { scope: 'openid', prompt: 'none' }));
    expect(answerOf(fewer.location).code).toBeDefined();
    const more = await browser.authorize(
      r.url,
      requestParams('spa', { scope: 'openid profile', prompt: 'none' }),
    );
    expectClientAnswer(more.location, { error: 'consent_required' });
    const forced = await browser.authorize(
      r.url,
      requestParams('spa', { scope: 'openid', prompt: 'consent' }),
    );
    expect(forced.location?.startsWith(`${r.url}/#/authorize?i=`)).toBe(true);
  });

  it('prompt=login always goes to the sign-in page, and a new sign-in satisfies it', async () => {
    const browser = await signedInBrowser();
    const before = browser.cookie;
    const start = await browser.authorize(r.url, requestParams('desk', { prompt: 'login' }));
    const interaction = interactionOf(start.location);
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.body).toMatchObject({ step: 'login', user: { username: 'alice' } });
    const cont = await browser.call(
      r.url,
      'continue',
      { interaction },
      { 'x-csrf-token': details.body.csrf },
    );
    expect(cont.status).toBe(401);
    expect(cont.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    clock.advance(5000);
    const login = await browser.call(r.url, 'login', { interaction, username: 'alice', password: PASSWORD });
    expect(answerOf(login.body.redirect).code).toBeDefined();
    expect(browser.cookie).not.toBe(before);
    // The sign-in replaced the browser's previous session.
    const oldId = (before ?? '').slice(0, (before ?? '').lastIndexOf('.'));
    expect((await r.server.services.storage.browserSessions.get(oldId))?.endedAt).not.toBeNull();
  });

  it('max_age: an older sign-in is not enough, a recent one is', async () => {
    const browser = await signedInBrowser();
    clock.advance(120_000);
    const stale = await browser.authorize(r.url, requestParams('desk', { max_age: '60' }));
    expect(stale.location?.startsWith(`${r.url}/#/authorize?i=`)).toBe(true);
    const silent = await browser.authorize(r.url, requestParams('desk', { max_age: '60', prompt: 'none' }));
    expectClientAnswer(silent.location, { error: 'login_required' });
    const fresh = await browser.authorize(r.url, requestParams('desk', { max_age: '300' }));
    expect(answerOf(fresh.location).code).toBeDefined();
  });

  it('a disabled user’s browser session is no sign-in', async () => {
    await addUser(r, 'dora', PASSWORD);
    const browser = new Browser();
    await signInThroughPages(r.url, browser, requestParams('desk'), 'dora', PASSWORD);
    const { storage } = r.server.services;
    const dora = await storage.users.getByUsername('dora');
    await storage.users.update(dora!.id, { disabled: true, updatedAt: clock() });
    const res = await browser.authorize(r.url, requestParams('desk', { prompt: 'none' }));
    expectClientAnswer(res.location, { error: 'login_required' });
  });
});

describe('the code', () => {
  it('is stored only as its hash, bound to everything the exchange and the tokens need', async () => {
    const browser = await signedInBrowser();
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const params = requestParams('desk', {
      resource: 'https://rooms.example/',
      dpop_jkt: jkt,
      scope: 'openid rooms:open',
    });
    const res = await browser.authorize(r.url, params);
    const { code } = answerOf(res.location);
    const { storage } = r.server.services;
    expect(await storage.authorizationCodes.get(code!)).toBeUndefined();
    const record = await storage.authorizationCodes.get(sha256Hex(code!));
    const sid = (browser.cookie ?? '').slice(0, (browser.cookie ?? '').lastIndexOf('.'));
    const session = await storage.browserSessions.get(sid);
    const alice = await storage.users.getByUsername('alice');
    expect(record).toMatchObject({
      clientId: 'desk',
      redirectUri: REDIRECT,
      codeChallenge: params.code_challenge,
      userId: alice!.id,
      sid,
      scopes: ['openid', 'rooms:open'],
      audiences: ['rooms'],
      nonce: 'n-456',
      authTime: session!.authTime,
      amr: ['pwd'],
      dpopJkt: jkt,
      createdAt: clock(),
      expiresAt: clock() + 60_000,
      consumedAt: null,
    });
  });

  it('each request gets its own code', async () => {
    const browser = await signedInBrowser();
    const one = answerOf((await browser.authorize(r.url, requestParams('desk'))).location).code;
    const two = answerOf((await browser.authorize(r.url, requestParams('desk'))).location).code;
    expect(one).not.toBe(two);
  });
});

describe('POST /oauth/authorize (a form)', () => {
  const post = (body: string, browser = new Browser()) =>
    fetch(`${r.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(browser.cookie ? { cookie: `__Host-keycard_sso=${browser.cookie}` } : {}),
      },
      body,
    });

  it('answers as the GET does', async () => {
    const browser = await signedInBrowser();
    const res = await post(new URLSearchParams(requestParams('desk')).toString(), browser);
    expect(res.status).toBe(303);
    expect(answerOf(res.headers.get('location')).code).toBeDefined();
    const none = await post(new URLSearchParams(requestParams('spa', { prompt: 'none' })).toString());
    expectClientAnswer(none.headers.get('location'), { error: 'login_required' });
  });

  it('a repeated parameter is judged like the query (a page, not JSON)', async () => {
    const form = `${new URLSearchParams(requestParams('spa')).toString()}&redirect_uri=https%3A%2F%2Fevil.example%2F`;
    const res = await post(form);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('location')).toBeNull();
  });

  it('a JSON body is refused with the page', async () => {
    const res = await fetch(`${r.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(requestParams('spa')),
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('counted and audited', () => {
  it('keycard_authorizations_total by result', async () => {
    const text = await r.server.services.metrics.registry.metrics();
    for (const result of ['code', 'interaction', 'page_error', 'login_required', 'consent_required'])
      expect(text).toMatch(new RegExp(`keycard_authorizations_total\\{result="${result}"\\} [1-9]`));
  });

  it('authorize.code names the user and the client', async () => {
    await r.server.services.audit.flush();
    const events = await r.server.services.storage.audit.list({ type: 'authorize.code', limit: 5 });
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({
      subject: expect.any(String),
      detail: { clientId: expect.any(String) },
    });
    expect(JSON.stringify(events)).not.toMatch(/"code"\s*:/);
  });
});

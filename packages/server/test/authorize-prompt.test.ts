// GET and POST /oauth/authorize over real HTTP: when the sign-in and consent pages are skipped or
// required (prompt, max_age, first-party clients, remembered consent), and the code it issues.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/index.js';
import { addUser, type Running } from './helpers.js';
import {
  answerOf,
  Browser,
  interactionOf,
  PASSWORD,
  REDIRECT,
  requestParams,
  signedInBrowser,
  signInThroughPages,
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

describe('prompt, max_age and consent', () => {
  it('prompt=none without a browser session: login_required', async () => {
    for (const client of ['spa', 'desk']) {
      const res = await new Browser().authorize(r.url, requestParams(client, { prompt: 'none' }));
      expect(res.status).toBe(303);
      expectClientAnswer(res.location, { error: 'login_required', state: 'st-123' });
    }
  });

  it('prompt=none signed in, a third-party client never allowed: consent_required', async () => {
    const browser = await signedInBrowser(r, clock);
    const res = await browser.authorize(r.url, requestParams('spa', { prompt: 'none' }));
    expectClientAnswer(res.location, { error: 'consent_required', state: 'st-123' });
  });

  it('a first-party client is never asked: signed in, the code comes at once', async () => {
    const browser = await signedInBrowser(r, clock);
    const res = await browser.authorize(r.url, requestParams('desk', { prompt: 'consent' }));
    const answer = expectClientAnswer(res.location, { state: 'st-123' });
    expect(answer.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const none = await browser.authorize(r.url, requestParams('desk', { prompt: 'none' }));
    expect(answerOf(none.location).code).toBeDefined();
  });

  it('signed in but not consented: the pages, never a code', async () => {
    const browser = await signedInBrowser(r, clock);
    const res = await browser.authorize(r.url, requestParams('spa'));
    expect(res.location?.startsWith(`${r.url}/#/authorize?i=`)).toBe(true);
  });

  it('a remembered consent lets prompt=none through; asking for more needs the page again', async () => {
    const browser = await signedInBrowser(r, clock);
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
    const browser = await signedInBrowser(r, clock);
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
    const code = answerOf(login.body.redirect).code!;
    // The same person authenticated again: the browser session (its sid) stays, with the new time.
    expect(browser.cookie).toBe(before);
    const id = (before ?? '').slice(0, (before ?? '').lastIndexOf('.'));
    expect(await r.server.services.storage.browserSessions.get(id)).toMatchObject({
      endedAt: null,
      authTime: clock(),
    });
    expect(await r.server.services.storage.authorizationCodes.get(sha256Hex(code))).toMatchObject({
      sid: id,
      authTime: clock(),
    });
  });

  it('max_age: an older sign-in is not enough, a recent one is', async () => {
    const browser = await signedInBrowser(r, clock);
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
    const browser = await signedInBrowser(r, clock);
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
    const browser = await signedInBrowser(r, clock);
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

  /** The 303 of a valid form: the same request as a GET on this endpoint. */
  const asGet = (res: Response, form: Record<string, string>) => {
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith(`${r.url}/oauth/authorize?`)).toBe(true);
    expect(Object.fromEntries(new URL(location).searchParams)).toEqual(form);
    return location.slice(location.indexOf('?') + 1);
  };

  it('a valid form is sent on to the GET, whose top-level navigation carries the cookie', async () => {
    const browser = await signedInBrowser(r, clock);
    const form = requestParams('desk', { prompt: 'none', scope: 'openid rooms:open' });
    // A cross-site form POST carries no SameSite=Lax cookie: the POST sends no cookie here.
    const res = await post(new URLSearchParams(form).toString());
    const followed = await browser.authorize(r.url, asGet(res, form));
    expect(answerOf(followed.location).code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Without a front-desk session the GET answers login_required, as it would have.
    const spa = requestParams('spa', { prompt: 'none' });
    const none = await post(new URLSearchParams(spa).toString());
    const alone = await new Browser().authorize(r.url, asGet(none, spa));
    expectClientAnswer(alone.location, { error: 'login_required' });
  });

  it('an error for the client goes to it at once; an overlong form gets the page', async () => {
    const unsupported = await post(
      new URLSearchParams(requestParams('spa', { response_type: 'token' })).toString(),
    );
    expectClientAnswer(unsupported.headers.get('location'), { error: 'unsupported_response_type' });
    const long = await post(
      new URLSearchParams(requestParams('spa', { ui_locales: 'x'.repeat(9000) })).toString(),
    );
    expect(long.status).toBe(400);
    expect(long.headers.get('content-type')).toMatch(/^text\/html/);
    expect(long.headers.get('location')).toBeNull();
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

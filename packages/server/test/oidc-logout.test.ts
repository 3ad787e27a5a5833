import { AUTHORIZE_API, END_SESSION_PATH, LOGOUT_ROUTE } from '@keycard/protocol';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../src/index.js';
import {
  addAudience,
  addUser,
  type Body,
  getJson,
  postForm,
  postJson,
  type Running,
  startServer,
  tempDir,
  testClock,
} from './helpers.js';
import {
  addAppSession,
  addBrowserSession,
  addCodeClient,
  fakeWebApp,
  idTokenFor,
} from './support/sign-out-fixtures.js';

const PASSWORD = 'correct horse battery';

/** The server's own page: the strict CSP of its own, no referrer, no script. */
function expectLockedDown(res: Response, html: string): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  for (const directive of [
    "default-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ]) {
    expect(csp).toContain(directive);
  }
  expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  expect(html).toContain('<meta name="referrer" content="no-referrer">');
  expect(html).not.toContain('<script');
}
const BYE = 'https://travel.example/bye';

/** OpenID Connect RP-Initiated Logout 1.0 at `/oauth/logout`, and the confirmation API behind `/#/logout`. */
describe('RP-initiated logout', () => {
  const clock = testClock();
  const web = tempDir();
  let r: Running;
  let alice: UserRecord;
  let bob: UserRecord;

  beforeAll(async () => {
    r = await startServer({ ui: { staticDir: fakeWebApp(web.dir) } }, { clock });
    await addAudience(r, 'rooms', ['rooms:read']);
    await r.server.services.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: 0 });
    alice = await addUser(r, 'alice', PASSWORD);
    bob = await addUser(r, 'bob', PASSWORD);
    await addCodeClient(r, 'travel', { name: 'Travel Desk', postLogoutRedirectUris: [BYE] });
    await addCodeClient(r, 'spa', { postLogoutRedirectUris: ['https://spa.example/'] });
  });
  afterAll(async () => {
    await r.close();
    web.remove();
  });

  /** GET /oauth/logout without following the redirect. */
  const logout = (params: Record<string, string>, cookie?: string) =>
    fetch(`${r.url}/oauth/logout?${new URLSearchParams(params)}`, {
      redirect: 'manual',
      headers: cookie === undefined ? {} : { cookie },
    });
  const refresh = (refreshToken: string, clientId = 'travel') =>
    postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
    });
  const isLive = async (id: string) => {
    const s = await r.server.services.storage.browserSessions.get(id);
    return s !== undefined && s.endedAt === null;
  };
  const sealedFrom = (location: string | null) => {
    expect(location).toMatch(/^\/#\/logout\?l=[A-Za-z0-9_.-]+$/);
    return location!.slice('/#/logout?l='.length);
  };
  const clearsCookie = (res: { headers: Headers }) =>
    res.headers
      .getSetCookie()
      .some((c) => c.startsWith('__Host-keycard_sso=;') && /Max-Age=0|Expires=/i.test(c));

  it('a valid hint for this browser: ends it, revokes its sessions but the offline one, redirects with state', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const online = await addAppSession(r, {
      userId: alice.id,
      clientId: 'travel',
      browserSessionId: browser.id,
    });
    const offline = await addAppSession(r, {
      userId: alice.id,
      clientId: 'travel',
      browserSessionId: browser.id,
      offline: true,
    });
    const other = await addAppSession(r, { userId: alice.id, clientId: 'spa', browserSessionId: browser.id });
    expect((await refresh(online.refreshToken)).status).toBe(200);
    const before = (await getJson(`${r.url}/revocations`)).body.cursor as number;

    const hint = await idTokenFor(r, alice, 'travel', browser.id);
    const res = await logout(
      { id_token_hint: hint, post_logout_redirect_uri: BYE, state: 'st&te=1' },
      browser.cookie,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${BYE}?state=st%26te%3D1`);
    expect(clearsCookie(res)).toBe(true);
    expect(await isLive(browser.id)).toBe(false);

    // Revoked through the feed: every guard hears of it.
    const feed = (await getJson(`${r.url}/revocations?after=${before}`)).body as Body;
    const sids = feed.events.filter((e: Body) => e.type === 'session').map((e: Body) => e.sid);
    expect(sids.sort()).toEqual([online.id, other.id].sort());
    const refused = await refresh(online.refreshToken);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect((await refresh(other.refreshToken, 'spa')).body.error).toBe('invalid_grant');
    // The offline_access grant outlives the browser session.
    expect((await refresh(offline.refreshToken)).status).toBe(200);
  });

  it('without a post_logout_redirect_uri it lands on the web app’s signed-out page', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const res = await logout(
      { id_token_hint: await idTokenFor(r, alice, 'travel', browser.id) },
      browser.cookie,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/#/signed-out');
    expect(await isLive(browser.id)).toBe(false);
  });

  /** POST /oauth/logout with a form body, without following the redirect. */
  const logoutByPost = (params: Record<string, string>, cookie?: string) =>
    fetch(`${r.url}/oauth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookie === undefined ? {} : { cookie }),
      },
      body: new URLSearchParams(params).toString(),
    });

  it('POST with a form body and the cookie (same site) works the same', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const res = await logoutByPost(
      {
        id_token_hint: await idTokenFor(r, alice, 'travel', browser.id),
        post_logout_redirect_uri: BYE,
        state: 'abc',
      },
      browser.cookie,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${BYE}?state=abc`);
    expect(await isLive(browser.id)).toBe(false);
  });

  it('a POST without the cookie (cross-site: SameSite=Lax) ends nothing and is sent back as a GET, which carries it', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const params = {
      id_token_hint: await idTokenFor(r, alice, 'travel', browser.id),
      post_logout_redirect_uri: BYE,
      state: 'st&te',
    };
    const res = await logoutByPost(params);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${r.server.services.issuer}/oauth/logout`);
    expect(Object.fromEntries(location.searchParams)).toEqual(params);
    expect(clearsCookie(res)).toBe(false);
    expect(await isLive(browser.id)).toBe(true);

    // The browser follows with a top-level GET, which carries the Lax cookie: now it ends.
    const followed = await fetch(location, { redirect: 'manual', headers: { cookie: browser.cookie } });
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')).toBe(`${BYE}?state=st%26te`);
    expect(await isLive(browser.id)).toBe(false);
    // No parameters at all: the bare endpoint.
    expect((await logoutByPost({})).headers.get('location')).toBe(`${r.server.services.issuer}/oauth/logout`);
  });

  it('a POST without the cookie too long to send back as a GET goes to the confirmation page', async () => {
    // Every `/` and `&` takes three characters in a query: well over 8000 in all.
    const far = `https://travel.example/${'/'.repeat(1900)}bye`;
    await addCodeClient(r, 'far', { postLogoutRedirectUris: [far] });
    const browser = await addBrowserSession(r, alice.id);
    const state = '&'.repeat(600);
    const res = await logoutByPost({
      id_token_hint: await idTokenFor(r, alice, 'far', browser.id),
      post_logout_redirect_uri: far,
      state,
    });
    expect(res.status).toBe(303);
    const l = sealedFrom(res.headers.get('location'));
    expect(await isLive(browser.id)).toBe(true);
    const details = await postJson(
      `${r.url}/api/authorize/logout/details`,
      { logout: l },
      { cookie: browser.cookie },
    );
    const done = await postJson(
      `${r.url}/api/authorize/logout`,
      { logout: l, confirm: true },
      { cookie: browser.cookie, 'x-csrf-token': details.body.csrf },
    );
    expect(done.body).toEqual({ redirect: `${far}?${new URLSearchParams({ state })}` });
    expect(await isLive(browser.id)).toBe(false);
  });

  it('an expired hint is still accepted', async () => {
    const browser = await addBrowserSession(r, alice.id, { ttlMs: 86_400_000 });
    const hint = await idTokenFor(r, alice, 'travel', browser.id);
    clock.advance((r.server.config.tokens.idTokenTtl + 60) * 1000);
    const res = await logout({ id_token_hint: hint, post_logout_redirect_uri: BYE }, browser.cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(BYE);
    expect(await isLive(browser.id)).toBe(false);
  });

  it('never redirects to a URI the client did not register: 400 page, nothing ended', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const hint = await idTokenFor(r, alice, 'travel', browser.id);
    for (const uri of [
      'https://evil.example/bye',
      `${BYE}/`,
      `${BYE}?x=1`,
      'https://travel.example/BYE',
      'https://spa.example/', // registered, but for another client
      'javascript:alert(1)',
    ]) {
      for (const params of [
        { id_token_hint: hint, post_logout_redirect_uri: uri, state: 's' } as Record<string, string>,
        { client_id: 'travel', post_logout_redirect_uri: uri },
      ]) {
        const res = await logout(params, browser.cookie);
        expect(res.status, uri).toBe(400);
        expect(res.headers.get('location'), uri).toBeNull();
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        const html = await res.text();
        expect(html).not.toContain(uri);
        expect(html).not.toContain('evil');
        expectLockedDown(res, html);
      }
    }
    // A URI needs a client to check it against.
    expect((await logout({ post_logout_redirect_uri: BYE }, browser.cookie)).status).toBe(400);
    expect((await logout({ client_id: 'nobody', post_logout_redirect_uri: BYE })).status).toBe(400);
    expect(await isLive(browser.id)).toBe(true);
  });

  it('a hint that is not ours, not for this client, or garbage: no redirect to the given URI', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const real = await idTokenFor(r, alice, 'travel', browser.id);
    const { kid } = JSON.parse(Buffer.from(real.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(clock() / 1000);
    const forged = await new SignJWT({ sid: browser.id, azp: 'travel' })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
      .setIssuer(r.server.services.issuer)
      .setSubject(alice.id)
      .setAudience('travel')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    // Our own key, the hint's very claims, but not an ID token: another `typ`, or another issuer.
    const claims = JSON.parse(Buffer.from(real.split('.')[1]!, 'base64url').toString());
    const keys = r.server.services.keys;
    const asAccessToken = (await keys.sign(claims, { typ: 'at+jwt' })).token;
    const asLogoutToken = (await keys.sign(claims, { typ: 'logout+jwt' })).token;
    const otherIssuer = (await keys.sign({ ...claims, iss: 'https://other.example' }, { typ: 'JWT' })).token;
    const [h, p, s] = real.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: bob.id }),
    ).toString('base64url');
    for (const [label, params] of [
      ['another key', { id_token_hint: forged, post_logout_redirect_uri: BYE }],
      [
        'another client',
        { id_token_hint: real, client_id: 'spa', post_logout_redirect_uri: 'https://spa.example/' },
      ],
      ['garbage', { id_token_hint: 'not.a.jwt', post_logout_redirect_uri: BYE }],
      ['an access token', { id_token_hint: login.body.access_token, post_logout_redirect_uri: BYE }],
      ['typ at+jwt', { id_token_hint: asAccessToken, post_logout_redirect_uri: BYE }],
      ['typ logout+jwt', { id_token_hint: asLogoutToken, post_logout_redirect_uri: BYE }],
      ['another issuer', { id_token_hint: otherIssuer, post_logout_redirect_uri: BYE }],
      ['a changed payload', { id_token_hint: `${h}.${tamperedPayload}.${s}`, post_logout_redirect_uri: BYE }],
      ['no signature', { id_token_hint: `${h}.${p}.`, post_logout_redirect_uri: BYE }],
    ] as const) {
      const res = await logout(params, browser.cookie);
      expect(res.status, label).toBe(400);
      expect(res.headers.get('location'), label).toBeNull();
    }
    expect(await isLive(browser.id)).toBe(true);
  });

  it('a hint from another browser session: the user confirms on the page, with the CSRF token', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const elsewhere = await addBrowserSession(r, alice.id);
    const session = await addAppSession(r, {
      userId: alice.id,
      clientId: 'travel',
      browserSessionId: browser.id,
    });
    const res = await logout(
      {
        id_token_hint: await idTokenFor(r, alice, 'travel', elsewhere.id),
        post_logout_redirect_uri: BYE,
        state: 'x',
      },
      browser.cookie,
    );
    expect(res.status).toBe(303);
    const l = sealedFrom(res.headers.get('location'));
    expect(await isLive(browser.id)).toBe(true);
    expect(await isLive(elsewhere.id)).toBe(true);

    const details = await postJson(
      `${r.url}/api/authorize/logout/details`,
      { logout: l },
      { cookie: browser.cookie },
    );
    expect(details.status).toBe(200);
    expect(details.headers.get('cache-control')).toBe('no-store');
    expect(details.body).toMatchObject({
      client: { id: 'travel', name: 'Travel Desk' },
      user: { id: alice.id, username: 'alice' },
      returnsToClient: true,
    });
    expect(details.body.expiresAt).toBe(
      Math.floor(clock() / 1000) + r.server.config.authorize.interactionTtl,
    );
    const csrf = details.body.csrf as string;
    expect(csrf).toMatch(/^[A-Za-z0-9_-]+$/);

    const noCsrf = await postJson(
      `${r.url}/api/authorize/logout`,
      { logout: l, confirm: true },
      { cookie: browser.cookie },
    );
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('ERR_CSRF');
    const wrong = await postJson(
      `${r.url}/api/authorize/logout`,
      { logout: l, confirm: true },
      { cookie: browser.cookie, 'x-csrf-token': `${csrf.slice(0, -1)}A` },
    );
    expect(wrong.status).toBe(403);
    // Another browser session's token does not do either.
    const otherCsrf = (
      await postJson(`${r.url}/api/authorize/logout/details`, { logout: l }, { cookie: elsewhere.cookie })
    ).body.csrf as string;
    expect(
      (
        await postJson(
          `${r.url}/api/authorize/logout`,
          { logout: l, confirm: true },
          { cookie: browser.cookie, 'x-csrf-token': otherCsrf },
        )
      ).status,
    ).toBe(403);
    expect(await isLive(browser.id)).toBe(true);

    const done = await postJson(
      `${r.url}/api/authorize/logout`,
      { logout: l, confirm: true },
      { cookie: browser.cookie, 'x-csrf-token': csrf },
    );
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ redirect: `${BYE}?state=x` });
    expect(clearsCookie(done)).toBe(true);
    expect(await isLive(browser.id)).toBe(false);
    expect(await isLive(elsewhere.id)).toBe(true);
    expect((await refresh(session.refreshToken)).body.error).toBe('invalid_grant');
  });

  it('"stay signed in" ends nothing', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const l = sealedFrom((await logout({ client_id: 'travel' }, browser.cookie)).headers.get('location'));
    const { csrf } = (
      await postJson(`${r.url}/api/authorize/logout/details`, { logout: l }, { cookie: browser.cookie })
    ).body as Body;
    const stay = await postJson(
      `${r.url}/api/authorize/logout`,
      { logout: l, confirm: false },
      { cookie: browser.cookie, 'x-csrf-token': csrf },
    );
    expect(stay.body).toEqual({ redirect: '/#/' });
    expect(await isLive(browser.id)).toBe(true);
  });

  it('no hint: always the confirmation page, even for this browser', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const res = await logout({ client_id: 'travel', post_logout_redirect_uri: BYE }, browser.cookie);
    expect(res.status).toBe(303);
    sealedFrom(res.headers.get('location'));
    expect(await isLive(browser.id)).toBe(true);
  });

  it('nobody signed in: the page shows no user and needs no CSRF token', async () => {
    // A link made while someone was signed in, opened where nobody is.
    const browser = await addBrowserSession(r, alice.id);
    const first = await logout(
      { client_id: 'travel', post_logout_redirect_uri: BYE, state: 'q' },
      browser.cookie,
    );
    const l = sealedFrom(first.headers.get('location'));
    const details = await postJson(`${r.url}/api/authorize/logout/details`, { logout: l });
    expect(details.body).toMatchObject({ client: { id: 'travel' }, user: null });
    expect(details.body.csrf).toBeUndefined();
    const done = await postJson(`${r.url}/api/authorize/logout`, { logout: l, confirm: true });
    expect(done.body).toEqual({ redirect: `${BYE}?state=q` });
    expect(await isLive(browser.id)).toBe(true);
  });

  it('a GET with nobody signed in here goes back at once and ends nothing, not even the session a hint names', async () => {
    const lapsed = await addBrowserSession(r, alice.id, { ttlMs: 1000 });
    const live = await addBrowserSession(r, alice.id);
    const hintLive = await idTokenFor(r, alice, 'travel', live.id);
    clock.advance(2000);
    const hint = await idTokenFor(r, alice, 'travel', lapsed.id);
    const res = await logout({ id_token_hint: hint, post_logout_redirect_uri: BYE, state: 'z' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${BYE}?state=z`);
    // An ID token is not the browser it was issued in: on its own it ends no session.
    expect((await r.server.services.storage.browserSessions.get(lapsed.id))?.endedAt).toBeNull();
    const other = await logout({ id_token_hint: hintLive });
    expect(other.status).toBe(303);
    expect(other.headers.get('location')).toBe('/#/signed-out');
    expect(await isLive(live.id)).toBe(true);
    // Without a hint the same: there is nobody here to ask.
    const bare = await logout({ client_id: 'travel', post_logout_redirect_uri: BYE });
    expect(bare.status).toBe(303);
    expect(bare.headers.get('location')).toBe(BYE);
  });

  it('every /api/authorize/* route is JSON only: a form or text post (no preflight) is 415 and ends nothing', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const l = sealedFrom((await logout({ client_id: 'travel' }, browser.cookie)).headers.get('location'));
    const { csrf } = (
      await postJson(`${r.url}/api/authorize/logout/details`, { logout: l }, { cookie: browser.cookie })
    ).body as Body;
    const fields = { logout: l, confirm: 'true', interaction: 'x', username: 'alice', password: PASSWORD };
    for (const path of [
      '/api/authorize/details',
      '/api/authorize/login',
      '/api/authorize/consent',
      '/api/authorize/continue',
      '/api/authorize/logout/details',
      '/api/authorize/logout',
    ]) {
      for (const [type, body] of [
        ['application/x-www-form-urlencoded', new URLSearchParams(fields).toString()],
        ['text/plain', JSON.stringify({ logout: l, confirm: true })],
        ['multipart/form-data; boundary=x', '--x--'],
      ] as const) {
        const res = await fetch(`${r.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': type, cookie: browser.cookie, 'x-csrf-token': csrf },
          body,
        });
        expect(res.status, `${path} ${type}`).toBe(415);
        expect(((await res.json()) as Body).error.code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
        expect(res.headers.getSetCookie()).toEqual([]);
      }
    }
    expect(await isLive(browser.id)).toBe(true);
  });

  it('a disabled user’s browser session is nobody signed in, as on the sign-in pages', async () => {
    const carol = await addUser(r, 'carol', PASSWORD);
    const browser = await addBrowserSession(r, carol.id);
    const l = sealedFrom(
      (await logout({ client_id: 'travel', post_logout_redirect_uri: BYE }, browser.cookie)).headers.get(
        'location',
      ),
    );
    // Disabled in storage alone, so the browser session is still there (disabling ends it too).
    await r.server.services.storage.users.update(carol.id, { disabled: true, updatedAt: clock() });
    const details = await postJson(
      `${r.url}/api/authorize/logout/details`,
      { logout: l },
      { cookie: browser.cookie },
    );
    expect(details.status).toBe(200);
    expect(details.body.user).toBeNull();
    expect(details.body.csrf).toBeUndefined();
    const done = await postJson(
      `${r.url}/api/authorize/logout`,
      { logout: l, confirm: true },
      { cookie: browser.cookie },
    );
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ redirect: BYE });
    expect(clearsCookie(done)).toBe(false);
    // The end-session endpoint sees nobody signed in either: straight back, nothing to confirm.
    const again = await logout(
      { id_token_hint: await idTokenFor(r, carol, 'travel', browser.id), post_logout_redirect_uri: BYE },
      browser.cookie,
    );
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(BYE);
  });

  it('the paths and routes are the ones @keycard/protocol names for the web app', async () => {
    expect(Object.values(AUTHORIZE_API)).toEqual(
      expect.arrayContaining(['/api/authorize/logout/details', '/api/authorize/logout']),
    );
    for (const path of Object.values(AUTHORIZE_API)) {
      const res = await postJson(`${r.url}${path}`, {});
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('ERR_VALIDATION');
    }
    const browser = await addBrowserSession(r, alice.id);
    const res = await logout({ client_id: 'travel' }, browser.cookie);
    expect(res.headers.get('location')).toMatch(
      new RegExp(`^/#${LOGOUT_ROUTE.path}\\?${LOGOUT_ROUTE.request}=[A-Za-z0-9_.-]+$`),
    );
    const out = await logout(
      { id_token_hint: await idTokenFor(r, alice, 'travel', browser.id) },
      browser.cookie,
    );
    expect(out.headers.get('location')).toBe(`/#${LOGOUT_ROUTE.signedOut}`);
    expect(END_SESSION_PATH).toBe('/oauth/logout');
  });

  it('a tampered or expired sign-out link is ERR_LOGOUT_EXPIRED', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const l = sealedFrom((await logout({ client_id: 'travel' }, browser.cookie)).headers.get('location'));
    const flipped = `${l.slice(0, -2)}${l.at(-2) === 'A' ? 'B' : 'A'}${l.at(-1)}`;
    for (const bad of [flipped, 'v1.x.y.z', 'nonsense']) {
      const res = await postJson(`${r.url}/api/authorize/logout/details`, { logout: bad });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ERR_LOGOUT_EXPIRED');
    }
    clock.advance((r.server.config.authorize.interactionTtl + 1) * 1000);
    const late = await postJson(`${r.url}/api/authorize/logout`, { logout: l, confirm: true });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('ERR_LOGOUT_EXPIRED');
  });
});

describe('RP-initiated logout without the web app', () => {
  let r: Running;
  let alice: UserRecord;
  beforeAll(async () => {
    r = await startServer({ ui: { enabled: false } });
    await addAudience(r, 'rooms', ['rooms:read']);
    alice = await addUser(r, 'alice', PASSWORD);
    await addCodeClient(r, 'travel', { postLogoutRedirectUris: [BYE] });
  });
  afterAll(() => r.close());

  it('signs out with a hint (a plain page when nowhere to go); never offers a page it cannot serve', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const hint = await idTokenFor(r, alice, 'travel', browser.id);
    const res = await fetch(`${r.url}/oauth/logout?id_token_hint=${hint}`, {
      redirect: 'manual',
      headers: { cookie: browser.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expectLockedDown(res, await res.text());
    expect((await r.server.services.storage.browserSessions.get(browser.id))?.endedAt).not.toBeNull();
    // Someone signed in and no hint: the confirmation page it cannot serve makes a 400 page.
    const other = await addBrowserSession(r, alice.id);
    const confirm = await fetch(`${r.url}/oauth/logout?client_id=travel`, {
      redirect: 'manual',
      headers: { cookie: other.cookie },
    });
    expect(confirm.status).toBe(400);
    expect(confirm.headers.get('location')).toBeNull();
    expect((await r.server.services.storage.browserSessions.get(other.id))?.endedAt).toBeNull();
  });
});

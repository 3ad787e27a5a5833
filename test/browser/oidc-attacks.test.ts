// Attacks on the authorization code flow, in a real Chromium, against the guide's openid-client app
// (http://127.0.0.1) and keycard (http://localhost, another site): crossed or forged answers
// (state, nonce) caught by openid-client while keycard returns `state` byte for byte, the sign-in
// page refusing to be framed by another site, a cross-site form posting a consent, and redirect
// URIs that were never registered.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, newPerson } from './support/browser.js';
import { type RunningApp, removeGuideModule, startApp } from './support/guide-app.js';
import { GUIDE_USER, type OidcHotel, openOidcHotelAndBrowser } from './support/oidc-hotel.js';
import { appClaims, keycardPagesDuring, signInAtKeycard, THIRD_PARTY_SCOPE } from './support/oidc-pages.js';

const skip = browserSkipReason('test/browser/oidc-attacks.test.ts');

/** What openid-client said when it refused: its message and the cause's (where the detail is). */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const { message, cause } = error as Error;
    return cause instanceof Error ? `${message}: ${cause.message}` : message;
  }
  throw new Error('openid-client accepted it');
}

describe.skipIf(skip !== '')('attacks on the code flow, in Chromium', () => {
  let hotel: OidcHotel;
  let browser: Browser;
  let person: BrowserContext;
  let page: Page;
  let app: RunningApp;
  /** openid-client in the test itself, as the guide's client: the checks it makes. */
  let config: oidc.Configuration;
  /** Where the test's own requests come back: it hands each answer to the next waiting test step. */
  let sink: Server;
  let sinkUrl: string;
  const sinkAnswers: ((answer: URL) => void)[] = [];

  beforeAll(async () => {
    ({ hotel, browser } = await openOidcHotelAndBrowser());
    const { id, secret } = hotel.guideClient;
    [app, config] = await Promise.all([
      startApp({ issuer: hotel.issuer, clientId: id, clientSecret: secret, scope: THIRD_PARTY_SCOPE }),
      oidc.discovery(new URL(hotel.issuer), id, secret, undefined, { execute: [oidc.allowInsecureRequests] }),
    ]);
    await hotel.addClient({
      id: 'minibar',
      name: 'Minibar',
      type: 'public',
      grants: ['authorization_code'],
      audiences: ['rooms'],
      scopes: ['openid'],
      redirectUris: ['http://127.0.0.1/callback'],
    });
    sink = createServer((req, res) => {
      // Only the answers: the browser also asks for /favicon.ico.
      if (req.url?.startsWith('/callback?')) sinkAnswers.shift()?.(new URL(req.url, sinkUrl));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('answer kept by the test');
    });
    await new Promise<void>((ready) => sink.listen(0, '127.0.0.1', ready));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    person = await newPerson(browser);
    page = await person.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    sink?.closeAllConnections();
    sink?.close();
    await app?.close();
    await hotel?.close();
    removeGuideModule();
  });

  /** An authorization request of the guide's client to the sink, built by openid-client, and its checks. */
  async function authorizationRequest(params: Record<string, string> = {}) {
    const checks = {
      codeVerifier: oidc.randomPKCECodeVerifier(),
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${sinkUrl}/callback`,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      ...params,
    });
    return { url, checks: { ...checks, ...params } };
  }

  const isCallback = (url: URL) => url.href.startsWith(`${app.url}/callback?`);

  /**
   * Follows an authorization request in the browser to `{sink}/callback` (a loopback redirect URI on
   * another port: registered as http://127.0.0.1:3000/callback, any port matches): the answer as
   * the browser brought it, never seen by the app.
   */
  async function callbackOf(url: URL): Promise<URL> {
    const answer = new Promise<URL>((resolve) => sinkAnswers.push(resolve));
    await page.goto(url.href);
    return answer;
  }

  it('an unregistered redirect URI shows keycard’s error page and the browser never goes there', async () => {
    const { url } = await authorizationRequest();
    for (const evil of [
      `${app.url}/steal`,
      `${app.url}/callback/../steal`,
      `${app.url}/callback?next=/steal`,
      `${app.url.replace('127.0.0.1', 'localhost')}/callback`,
      'https://evil.example/callback',
    ]) {
      url.searchParams.set('redirect_uri', evil);
      const res = await page.goto(url.href);
      expect(res?.status(), evil).toBe(400);
      expect(page.url()).toBe(url.href);
      expect(await page.locator('h1').textContent()).toBe('Sign-in request refused');
      expect(await page.content()).not.toContain('steal');
    }
    // Nor through the end-session endpoint's post_logout_redirect_uri.
    const logout = new URL(`${hotel.issuer}/oauth/logout`);
    logout.searchParams.set('client_id', hotel.guideClient.id);
    logout.searchParams.set('post_logout_redirect_uri', `${app.url}/steal`);
    expect((await page.goto(logout.href))?.status()).toBe(400);
    expect(page.url()).toBe(logout.href);
    expect(app.hits.filter((hit) => hit.includes('steal'))).toEqual([]);
  });

  it('the sign-in page will not render inside a frame of another site', async () => {
    const { url } = await authorizationRequest();
    const framed = page.waitForResponse(
      (res) => res.url().startsWith(`${hotel.issuer}/#`) || res.url() === `${hotel.issuer}/`,
    );
    app.testPage(
      '/frame',
      `<!doctype html><title>win a prize</title><iframe id="victim" src="${url.href.replaceAll('&', '&amp;')}" onload="document.title='loaded'"></iframe>`,
    );
    await page.goto(`${app.url}/frame`);
    const response = await framed;
    // keycard served the page, but told the browser never to frame it.
    expect(response.headers()['x-frame-options']).toBe('DENY');
    expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.waitForFunction(() => document.title === 'loaded');
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame?.url()).not.toMatch(/^http:\/\/localhost/);
    expect(await frame?.locator('[data-testid="authorize-signin-form"]').count()).toBe(0);
  });

  it('signs in once (sign-in form, consent) through the guide’s app', async () => {
    await page.goto(`${app.url}/login`);
    await page.getByTestId('authorize-signin-form').waitFor();
    await signInAtKeycard(page, GUIDE_USER.username, GUIDE_USER.password);
    await page.getByTestId('authorize-allow').click();
    await page.waitForURL(`${app.url}/`);
    expect(await appClaims(page)).toMatchObject({ preferred_username: 'alice' });
  });

  it('prompt=none from the app’s site, as a GET and as a cross-site form POST (303 to the GET, which carries the SameSite=Lax sign-in)', async () => {
    const get = await authorizationRequest({ prompt: 'none' });
    const signedIn = await callbackOf(get.url);
    expect(signedIn.searchParams.get('code')).toMatch(/^[\w-]{43}$/);

    // The same request as a form POST (OpenID Connect allows it) from the app's site.
    const post = await authorizationRequest({ prompt: 'none' });
    const fields = [...post.url.searchParams]
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
      .join('');
    app.testPage(
      '/post-authorize',
      `<!doctype html><form id="f" method="post" action="${hotel.issuer}/oauth/authorize">${fields}</form>` +
        `<script>document.getElementById('f').submit()</script>`,
    );
    const answer = new Promise<URL>((resolve) => sinkAnswers.push(resolve));
    await page.goto(`${app.url}/post-authorize`);
    // The POST itself carries no Lax cookie; keycard answers it 303 to the same request as a GET,
    // a top-level navigation that does carry it: single sign-on works for a posted request too.
    const silent = await answer;
    expect(silent.searchParams.get('error')).toBeNull();
    expect(silent.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
    expect(silent.searchParams.get('state')).toBe(post.checks.state);
  });

  it('a tampered state at the callback is refused by openid-client in the app', async () => {
    // prompt=consent stops at keycard's page: its Allow is a new navigation, which the test can alter.
    await page.goto(`${app.url}/login?prompt=consent`);
    await page.getByTestId('authorize-consent').waitFor();
    await page.route(
      isCallback,
      (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set('state', `${url.searchParams.get('state')}x`);
        return route.continue({ url: url.href });
      },
      { times: 1 },
    );
    await page.getByTestId('authorize-allow').click();
    await page.locator('#error').waitFor();
    expect(await page.locator('#error').textContent()).toMatch(/"state"/);
  });

  it('an answer to another sign-in request (another tab) is refused by openid-client in the app', async () => {
    const first = await person.newPage();
    try {
      await first.goto(`${app.url}/login?prompt=consent`);
      await first.getByTestId('authorize-consent').waitFor();
      // A second sign-in starts in this browser: the app now expects its state, not the first's.
      await page.goto(`${app.url}/login?prompt=consent`);
      await page.getByTestId('authorize-consent').waitFor();
      await first.getByTestId('authorize-allow').click();
      await first.locator('#error').waitFor();
      expect(await first.locator('#error').textContent()).toMatch(/"state"/);
    } finally {
      await first.close();
    }
  });

  it('keycard returns state byte for byte; openid-client refuses another state or nonce', async () => {
    const odd = `a b+c/d%25e&f=g?#é😀<"'>~.${'x'.repeat(200)}`;
    const request = await authorizationRequest({ state: odd });
    const pages = await keycardPagesDuring(page, hotel.issuer, async () => {
      const answer = await callbackOf(request.url);
      expect(answer.searchParams.get('state')).toBe(odd);
      expect(answer.searchParams.get('iss')).toBe(hotel.issuer);
      const tokens = await oidc.authorizationCodeGrant(config, answer, {
        pkceCodeVerifier: request.checks.codeVerifier,
        expectedState: odd,
        expectedNonce: request.checks.nonce,
      });
      expect(tokens.claims()).toMatchObject({ nonce: request.checks.nonce, aud: hotel.guideClient.id });
    });
    expect(pages).toEqual([]);

    const crossedState = await authorizationRequest();
    const stateAnswer = await callbackOf(crossedState.url);
    expect(
      await refusal(
        oidc.authorizationCodeGrant(config, stateAnswer, {
          pkceCodeVerifier: crossedState.checks.codeVerifier,
          expectedState: oidc.randomState(),
          expectedNonce: crossedState.checks.nonce,
        }),
      ),
    ).toMatch(/unexpected "state"/);

    const crossedNonce = await authorizationRequest();
    const nonceAnswer = await callbackOf(crossedNonce.url);
    expect(
      await refusal(
        oidc.authorizationCodeGrant(config, nonceAnswer, {
          pkceCodeVerifier: crossedNonce.checks.codeVerifier,
          expectedState: crossedNonce.checks.state,
          expectedNonce: oidc.randomNonce(),
        }),
      ),
    ).toMatch(/unexpected ID Token "nonce"/);

    // A code redeemed with another request's PKCE verifier: keycard refuses it.
    const a = await authorizationRequest();
    const b = await authorizationRequest();
    const answerA = await callbackOf(a.url);
    await expect(
      oidc.authorizationCodeGrant(config, answerA, {
        pkceCodeVerifier: b.checks.codeVerifier,
        expectedState: a.checks.state,
        expectedNonce: a.checks.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('a cross-site form posting a consent gets no code, and no consent is stored', async () => {
    // The attacker starts a request for an app alice never allowed, and takes its interaction.
    const start = await fetch(
      `${hotel.issuer}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: 'minibar',
        redirect_uri: `${app.url}/callback`,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    const interaction = /#\/authorize\?i=([\w.-]+)$/.exec(start.headers.get('location') ?? '')?.[1];
    expect(interaction).toBeDefined();
    const user = await hotel.ctx.storage.users.getByUsername(GUIDE_USER.username);
    const before = app.hits.length;

    for (const enctype of ['text/plain', 'application/x-www-form-urlencoded']) {
      // text/plain makes the body `{"interaction":"…","allow":true,"x":"="}`: JSON, but not sent as JSON.
      app.testPage(
        '/prize',
        `<!doctype html><form id="f" method="post" enctype="${enctype}" action="${hotel.issuer}/api/authorize/consent">` +
          `<input type="hidden" name='{"interaction":"${interaction}","allow":true,"x":"' value='"}'>` +
          `</form><script>document.getElementById('f').submit()</script>`,
      );
      const posted = page.waitForResponse(`${hotel.issuer}/api/authorize/consent`);
      await page.goto(`${app.url}/prize`);
      const res = await posted;
      expect(res.status(), enctype).toBeGreaterThanOrEqual(400);
      expect(await res.json()).toMatchObject({ error: { code: expect.stringMatching(/^ERR_/) } });
      await page.waitForURL(`${hotel.issuer}/api/authorize/consent`);
    }
    // The browser never came back to the app (its attacker pages are the test's, not the app's).
    expect(app.hits.slice(before)).toEqual([]);
    expect(await hotel.ctx.storage.consents.get(user!.id, 'minibar')).toBeUndefined();
  });
});

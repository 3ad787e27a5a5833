// The authorization code flow in a real Chromium with openid-client as the relying party: the
// guide's app (docs/guides/oidc-node-openid-client.md) on http://127.0.0.1, keycard on
// http://localhost (another site: its SameSite=Lax sign-in cookie only travels on top-level
// navigations). Discovery, PKCE, sign-in, consent, code exchange with ID-token validation,
// userinfo, refresh, prompt=none, single sign-on across apps, first-party apps, remembered and
// revoked consent, RP-initiated logout and prompt=none answering login_required afterwards.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, newPerson, screenshot } from './support/browser.js';
import {
  freePort,
  type RunningApp,
  removeGuideModule,
  startApp,
  startGuideServer,
} from './support/guide-app.js';
import { GUIDE_USER, type OidcHotel, openOidcHotelAndBrowser } from './support/oidc-hotel.js';
import { appClaims, keycardPagesDuring, signInAtKeycard, THIRD_PARTY_SCOPE } from './support/oidc-pages.js';

const skip = browserSkipReason('test/browser/oidc-openid-client.test.ts');

describe.skipIf(skip !== '')('openid-client as the relying party, in Chromium', () => {
  let hotel: OidcHotel;
  let browser: Browser;
  let person: BrowserContext;
  let page: Page;
  /** The guide's app: confidential, third party, offline_access and the rooms door. */
  let roomService: RunningApp;
  /** Another third-party app (openid profile only). */
  let minibar: RunningApp;
  /** A first-party app: never asks consent. */
  let concierge: RunningApp;
  let firstSid: unknown;

  beforeAll(async () => {
    ({ hotel, browser } = await openOidcHotelAndBrowser());
    const codeClient = {
      type: 'confidential' as const,
      grants: ['authorization_code' as const, 'refresh_token' as const],
    };
    const [mini, desk] = await Promise.all([
      hotel.addClient({
        id: 'minibar',
        name: 'Minibar',
        ...codeClient,
        audiences: ['rooms'],
        scopes: ['openid', 'profile'],
        redirectUris: ['http://127.0.0.1/callback'],
        postLogoutRedirectUris: ['http://127.0.0.1/signed-out'],
      }),
      hotel.addClient({
        id: 'concierge',
        name: 'Concierge',
        firstParty: true,
        ...codeClient,
        audiences: ['rooms'],
        scopes: ['openid', 'profile'],
        redirectUris: ['http://127.0.0.1/callback'],
      }),
    ]);
    [roomService, minibar, concierge] = await Promise.all([
      startApp({
        issuer: hotel.issuer,
        clientId: hotel.guideClient.id,
        clientSecret: hotel.guideClient.secret,
        scope: THIRD_PARTY_SCOPE,
      }),
      startApp({
        issuer: hotel.issuer,
        clientId: 'minibar',
        clientSecret: mini.secret!,
        scope: 'openid profile',
      }),
      startApp({
        issuer: hotel.issuer,
        clientId: 'concierge',
        clientSecret: desk.secret!,
        scope: 'openid profile',
      }),
    ]);
    person = await newPerson(browser);
    page = await person.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([roomService?.close(), minibar?.close(), concierge?.close()]);
    await hotel?.close();
    removeGuideModule();
  });

  it('signs in through keycard: the sign-in form, consent naming the app and what it asks, claims back at the app', async () => {
    expect(new URL(hotel.issuer).hostname).toBe('localhost');
    await page.goto(`${roomService.url}/`);
    await page.locator('#login').click();
    await page.getByTestId('authorize-signin-form').waitFor();
    expect(page.url()).toMatch(new RegExp(`^${hotel.issuer}/#/authorize\\?i=[\\w.-]+$`));
    expect(await page.title()).toContain('Room service');
    await signInAtKeycard(page, GUIDE_USER.username, GUIDE_USER.password);

    await page.getByTestId('authorize-consent').waitFor();
    await screenshot(page, 'oidc-consent');
    expect(await page.locator('h1').textContent()).toBe('Allow Room service?');
    expect(await page.getByTestId('authorize-username-shown').textContent()).toBe('alice');
    const scopes = await page
      .getByTestId('authorize-scopes')
      .locator('li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-scope')));
    expect(scopes.sort()).toEqual(['email', 'offline_access', 'openid', 'profile', 'rooms:open']);
    expect(await page.getByTestId('authorize-doors').locator('li').getAttribute('data-door')).toBe('rooms');

    await page.getByTestId('authorize-allow').click();
    await page.waitForURL(`${roomService.url}/`);
    const claims = await appClaims(page);
    expect(claims).toMatchObject({
      iss: hotel.issuer,
      aud: hotel.guideClient.id,
      preferred_username: 'alice',
      email: 'alice@example.com',
      amr: ['pwd'],
    });
    expect(typeof claims['sid']).toBe('string');
    expect(typeof claims['auth_time']).toBe('number');
    expect(typeof claims['nonce']).toBe('string');
    firstSid = claims['sid'];
    // The code came back to the app's registered callback with the RFC 9207 `iss`.
    const callback = new URL(roomService.hits.find((h) => h.startsWith('/callback'))!, roomService.url);
    expect(callback.searchParams.get('iss')).toBe(hotel.issuer);
    expect(callback.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
  });

  it('userinfo answers the signed-in person; a refresh gives a new access token and a valid ID token', async () => {
    await page.locator('#userinfo').click();
    await page.locator('#userinfo pre').waitFor();
    const claims = await appClaims(page);
    const info = JSON.parse((await page.locator('#userinfo pre').textContent()) ?? '{}');
    expect(info).toMatchObject({
      sub: claims['sub'],
      preferred_username: 'alice',
      email: 'alice@example.com',
    });

    const before = await page.locator('#access-token').textContent();
    const card = JSON.parse(Buffer.from(before!.split('.')[1]!, 'base64url').toString());
    expect(card).toMatchObject({ aud: 'rooms', sub: claims['sub'], client_id: hotel.guideClient.id });
    expect(card.scope.split(' ')).toContain('rooms:open');

    await page.locator('#refresh').click();
    await page.locator('#access-token[data-refreshed="1"]').waitFor();
    expect(await page.locator('#access-token').textContent()).not.toBe(before);
    // openid-client validated the refreshed ID token; the app checked it is about the same person.
    const refreshed = await appClaims(page);
    expect(refreshed).toMatchObject({ sub: claims['sub'], sid: firstSid, auth_time: claims['auth_time'] });
    expect(refreshed['nonce']).toBeUndefined();
  });

  it('prompt=none signs in again silently: a code straight back, no keycard page', async () => {
    const before = roomService.hits.length;
    const pages = await keycardPagesDuring(page, hotel.issuer, async () => {
      await page.goto(`${roomService.url}/login?prompt=none`);
      await page.waitForURL(`${roomService.url}/`);
    });
    expect(pages).toEqual([]);
    expect(roomService.hits.slice(before).map((h) => h.split('?')[0])).toEqual(['/login', '/callback', '/']);
    expect((await appClaims(page))['sid']).toBe(firstSid);
  });

  it('consent is remembered: signing in again shows no keycard page', async () => {
    const pages = await keycardPagesDuring(page, hotel.issuer, async () => {
      await page.goto(`${roomService.url}/login`);
      await page.waitForURL(`${roomService.url}/`);
    });
    expect(pages).toEqual([]);
  });

  it('the guide’s server.mjs runs the same app: signed in at keycard and allowed, one click signs in', async () => {
    const guide = await startGuideServer(hotel.issuer, hotel.guideClient.secret, await freePort());
    try {
      await page.goto(`${guide.url}/`);
      expect(await page.locator('h1').textContent()).toBe('Not signed in');
      const pages = await keycardPagesDuring(page, hotel.issuer, async () => {
        await page.locator('#login').click();
        await page.locator('#claims').waitFor();
      });
      expect(pages).toEqual([]);
      expect(page.url()).toBe(`${guide.url}/`);
      expect(await appClaims(page)).toMatchObject({ aud: hotel.guideClient.id, sid: firstSid });
    } finally {
      await guide.stop();
    }
  });

  it('prompt=none for an app not allowed yet answers consent_required; Deny answers access_denied', async () => {
    await page.goto(`${minibar.url}/login?prompt=none`);
    await page.locator('#error').waitFor();
    expect(await page.locator('#error').getAttribute('data-code')).toBe('consent_required');

    await page.goto(`${minibar.url}/login`);
    await page.getByTestId('authorize-deny').click();
    await page.locator('#error').waitFor();
    expect(await page.locator('#error').getAttribute('data-code')).toBe('access_denied');
    expect(new URL(page.url()).searchParams.get('iss')).toBe(hotel.issuer);
  });

  it('a second third-party app signs in without the password form (single sign-on) but asks consent', async () => {
    const pages = await keycardPagesDuring(page, hotel.issuer, async () => {
      await page.goto(`${minibar.url}/login`);
      await page.getByTestId('authorize-consent').waitFor();
      expect(await page.locator('h1').textContent()).toBe('Allow Minibar?');
      expect(await page.getByTestId('authorize-signin-form').count()).toBe(0);
      await page.getByTestId('authorize-allow').click();
      await page.waitForURL(`${minibar.url}/`);
    });
    expect(pages.every((url) => url.startsWith(`${hotel.issuer}/#/authorize?i=`))).toBe(true);
    const claims = await appClaims(page);
    // One browser session at keycard: the same `sid` for every app.
    expect(claims).toMatchObject({ aud: 'minibar', sid: firstSid, preferred_username: 'alice' });
  });

  it('a first-party app gets no consent page', async () => {
    const pages = await keycardPagesDuring(page, hotel.issuer, async () => {
      await page.goto(`${concierge.url}/login`);
      await page.waitForURL(`${concierge.url}/`);
    });
    expect(pages).toEqual([]);
    expect(await appClaims(page)).toMatchObject({ aud: 'concierge', sid: firstSid });
  });

  it('revoking the consent on the account page makes the app ask again', async () => {
    // The front desk is itself a client of the code flow: this browser is signed in at keycard, so
    // its sign-in goes through without the form.
    await page.goto(`${hotel.issuer}/#/signin`);
    await page.getByTestId('card').waitFor();
    expect(await page.getByTestId('authorize-signin-form').count()).toBe(0);
    await page.goto(`${hotel.issuer}/#/account`);
    await page.getByTestId(`consent-${hotel.guideClient.id}`).waitFor();
    await page.getByTestId(`consent-${hotel.guideClient.id}-revoke`).click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId(`consent-${hotel.guideClient.id}`).waitFor({ state: 'detached' });

    await page.goto(`${roomService.url}/login`);
    await page.getByTestId('authorize-consent').waitFor();
    expect(await page.getByTestId('authorize-signin-form').count()).toBe(0);
    await page.getByTestId('authorize-allow').click();
    await page.waitForURL(`${roomService.url}/`);
    expect((await appClaims(page))['sid']).toBe(firstSid);
  });

  it('RP-initiated logout ends the keycard session and returns state; prompt=none then answers login_required', async () => {
    await page.locator('#logout').click();
    await page.waitForURL(new RegExp(`^${roomService.url}/signed-out\\?state=`));
    expect(await page.locator('#signed-out').getAttribute('data-state-ok')).toBe('true');
    const session = await hotel.ctx.storage.browserSessions.get(String(firstSid));
    expect(session?.endedAt).not.toBeNull();

    // The minibar's sign-in came through that browser session (no offline_access): revoked.
    await page.goto(`${minibar.url}/`);
    await page.locator('#refresh').click();
    await page.locator('#error').waitFor();
    expect(await page.locator('#error').getAttribute('data-code')).toBe('invalid_grant');

    const pages = await keycardPagesDuring(page, hotel.issuer, async () => {
      await page.goto(`${roomService.url}/login?prompt=none`);
      await page.locator('#error').waitFor();
    });
    expect(pages).toEqual([]);
    expect(await page.locator('#error').getAttribute('data-code')).toBe('login_required');
    expect(new URL(page.url()).pathname).toBe('/callback');
  });
});

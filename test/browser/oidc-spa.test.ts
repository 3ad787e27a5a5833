// A plain single-page app using oauth4webapi in the browser as a public client (the app of
// docs/guides/oidc-spa-oauth4webapi.md, on its own site), driven by Chromium through keycard's
// sign-in and consent pages: discovery, code + PKCE + dpop_jkt, DPoP-bound tokens, the ID token,
// userinfo, refresh with rotation, revocation and RP-initiated logout — each step read from the
// page's own output. Node plays the attacker who copied a token or the code without the key.
import { createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser, newPerson, screenshot } from './support/browser.js';
import {
  appKeyFacts,
  appKeyProof,
  type GuideKeycard,
  guideShowsTheApp,
  idle,
  shown,
  startGuideKeycard,
} from './support/spa-keycard.js';
import { type SpaServer, startSpaServer } from './support/spa-server.js';

const skip = browserSkipReason('oidc-spa.test.ts');
const CLIENT_ID = 'photos-web';
const PASSWORD = 'correct horse battery staple';

let spa: SpaServer;
let keycard: GuideKeycard;
let browser: Browser;
let person: BrowserContext;
let page: Page;
let attackerKey: PrivateKey;

/** What the first sign-in left behind, for the attacker's attempts. */
const first = { code: '', accessToken: '', refreshToken: '', jkt: '' };

interface TokenBody {
  token_type?: string;
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  error?: string;
}

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Waits for the app's next token request answered by keycard and returns its JSON body. */
function nextTokenAnswer(): Promise<TokenBody> {
  return page
    .waitForResponse((r) => r.url() === `${keycard.issuer}/oauth/token` && r.request().method() === 'POST')
    .then((r) => r.json() as Promise<TokenBody>);
}

/** Resolves once the main frame has committed a document of the app (after leaving it). */
function backAtApp(): Promise<unknown> {
  return page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame() && new URL(frame.url()).origin === spa.origin,
  });
}

/** Clicks one of the app's buttons and waits until the app is done. */
async function press(testId: string): Promise<void> {
  await page.getByTestId(testId).click();
  await idle(page);
}

/** A token request from Node, proved (or not) with `proof`. */
async function tokenRequest(params: Record<string, string>, proof?: string) {
  const res = await fetch(`${keycard.issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(proof === undefined ? {} : { dpop: proof }),
    },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...params }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as TokenBody };
}

const attackerProof = (method: string, url: string, accessToken?: string) =>
  createDpopProof(attackerKey, { method, url, ...(accessToken === undefined ? {} : { accessToken }) });

describe.skipIf(skip !== '')(
  'a single-page app signs in with oauth4webapi (public client, PKCE, DPoP)',
  () => {
    beforeAll(async () => {
      spa = await startSpaServer();
      keycard = await startGuideKeycard(spa);
      browser = await launchBrowser();
      person = await newPerson(browser);
      page = await person.newPage();
      attackerKey = await generateKeyPair('ES256');
    });

    afterAll(async () => {
      await browser?.close();
      await keycard?.close();
      await spa?.close();
    });

    it('is the app the guide shows', () => {
      expect(guideShowsTheApp()).toEqual({ indexHtml: true, appJs: true });
    });

    it('discovers keycard, signs in through its pages and gets DPoP-bound tokens and a valid ID token', async () => {
      await page.goto(`${spa.origin}/`);
      await idle(page);
      expect(await shown(page, 'error')).toBe('');
      expect(await shown(page, 'issuer')).toBe(keycard.issuer);
      expect(await shown(page, 'status')).toBe('signed out');

      const [authorize] = await Promise.all([
        page.waitForRequest((r) => r.url().startsWith(`${keycard.issuer}/oauth/authorize?`)),
        page.getByTestId('sign-in').click(),
      ]);
      const asked = new URL(authorize.url()).searchParams;
      expect(Object.fromEntries(asked)).toMatchObject({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: `${spa.origin}/`,
        scope: 'openid profile photos:read',
        code_challenge_method: 'S256',
        code_challenge: expect.stringMatching(/^[\w-]{43}$/),
        state: expect.stringMatching(/^[\w-]{43}$/),
        nonce: expect.stringMatching(/^[\w-]{43}$/),
        dpop_jkt: expect.stringMatching(/^[\w-]{43}$/),
      });
      first.jkt = asked.get('dpop_jkt')!;

      // keycard's own pages, on keycard's site: sign-in, then consent (a third-party app).
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByLabel('Password').press('Enter');
      await page.getByTestId('authorize-consent').waitFor();
      expect(await page.getByTestId('authorize-consent').textContent()).toContain('Photos');
      await screenshot(page, 'spa-1-consent');

      const [callback, tokens] = await Promise.all([
        page.waitForRequest((r) => r.url().startsWith(`${spa.origin}/?`)),
        nextTokenAnswer(),
        backAtApp(),
        page.getByTestId('authorize-allow').click(),
      ]);
      await idle(page);
      const returned = new URL(callback.url()).searchParams;
      expect(returned.get('state')).toBe(asked.get('state'));
      expect(returned.get('iss')).toBe(keycard.issuer);
      first.code = returned.get('code')!;

      expect(await shown(page, 'error')).toBe('');
      expect(await shown(page, 'status')).toBe('signed in');
      expect(page.url()).toBe(`${spa.origin}/`); // the code left the address bar
      expect(tokens.token_type).toBe('DPoP');
      expect(claimsOf(tokens.access_token!)).toMatchObject({ aud: 'photos', cnf: { jkt: first.jkt } });
      expect(await shown(page, 'token-type')).toBe('DPoP');
      expect(await shown(page, 'key-jkt')).toBe(first.jkt);
      expect(await shown(page, 'card-jkt')).toBe(first.jkt);
      const idToken = claimsOf(tokens.id_token!);
      expect(idToken).toMatchObject({ iss: keycard.issuer, aud: CLIENT_ID, nonce: asked.get('nonce') });
      expect(await shown(page, 'sub')).toBe(idToken.sub);
      expect(await shown(page, 'username')).toBe('alice');
      await screenshot(page, 'spa-2-signed-in');
      expect(await appKeyFacts(page)).toEqual({ stored: true, extractable: false });
      first.accessToken = tokens.access_token!;
      first.refreshToken = tokens.refresh_token!;
    });

    it('calls userinfo with the DPoP-bound token; without its proof the token is refused', async () => {
      await press('load-userinfo');
      expect(await shown(page, 'error')).toBe('');
      expect(JSON.parse(await shown(page, 'userinfo'))).toMatchObject({
        sub: await shown(page, 'sub'),
        preferred_username: 'alice',
      });

      const url = `${keycard.issuer}/oauth/userinfo`;
      const card = first.accessToken;
      const refused = 'DPoP error="invalid_dpop_proof"';
      for (const [headers, challenge] of [
        [{ authorization: `DPoP ${card}` }, refused],
        [{ authorization: `DPoP ${card}`, dpop: attackerProof('GET', url, card) }, refused],
        [{ authorization: `Bearer ${card}` }, 'Bearer error="invalid_token"'],
      ] as const) {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
        expect(res.status, challenge).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe(challenge);
      }
    });

    it('the refresh token is useless without the key; the app refreshes with it and gets a new one', async () => {
      const token = `${keycard.issuer}/oauth/token`;
      const stolen = { grant_type: 'refresh_token', refresh_token: first.refreshToken };
      const withOtherKey = await tokenRequest(stolen, attackerProof('POST', token));
      expect(withOtherKey).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
      const withoutProof = await tokenRequest(stolen);
      expect(withoutProof).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });

      const [rotated] = await Promise.all([nextTokenAnswer(), press('refresh')]);
      expect(await shown(page, 'error')).toBe('');
      expect(await shown(page, 'refreshes')).toBe('1');
      expect(rotated.refresh_token).toEqual(expect.any(String));
      expect(rotated.refresh_token).not.toBe(first.refreshToken);
      expect(claimsOf(rotated.access_token!)).toMatchObject({ cnf: { jkt: first.jkt } });
      expect(await shown(page, 'card-jkt')).toBe(first.jkt);
    });

    it('a code replayed after the exchange is refused, and the session it made is revoked', async () => {
      const replay = await tokenRequest(
        {
          grant_type: 'authorization_code',
          code: first.code,
          redirect_uri: `${spa.origin}/`,
          code_verifier: 'x'.repeat(43),
        },
        attackerProof('POST', `${keycard.issuer}/oauth/token`),
      );
      expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

      await press('refresh');
      expect(await shown(page, 'error')).toMatch(/^invalid_grant: /);
      expect(await shown(page, 'status')).toBe('signed out');
      expect(await page.getByTestId('sign-in').isVisible()).toBe(true);
    });

    it('signs in again without a page while keycard knows the browser; sign-out ends both', async () => {
      const visited: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) visited.push(frame.url());
      });
      const [tokens] = await Promise.all([
        nextTokenAnswer(),
        backAtApp(),
        page.getByTestId('sign-in').click(),
      ]);
      await idle(page);
      expect(await shown(page, 'status')).toBe('signed in');
      expect(visited.filter((url) => url.startsWith(keycard.issuer))).toEqual([]);
      const jkt = await shown(page, 'key-jkt');
      expect(jkt).not.toBe(first.jkt); // a new key for each sign-in
      expect(claimsOf(tokens.access_token!)).toMatchObject({ cnf: { jkt } });

      // A proof of the app's own key, made now, for the attempt after sign-out.
      const proof = await appKeyProof(page, `${keycard.issuer}/oauth/token`);
      const [revoked] = await Promise.all([
        page.waitForResponse(
          (r) => r.url() === `${keycard.issuer}/oauth/revoke` && r.request().method() === 'POST',
        ),
        backAtApp(),
        page.getByTestId('sign-out').click(),
      ]);
      await idle(page);
      expect(revoked.status()).toBe(200);
      expect(await shown(page, 'status')).toBe('signed out of keycard');
      expect(await appKeyFacts(page)).toEqual({ stored: false, extractable: null });

      const after = await tokenRequest(
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
        proof,
      );
      expect(after).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

      // keycard's session in this browser ended too: the next sign-in asks for the password.
      await page.getByTestId('sign-in').click();
      await page.getByTestId('authorize-signin-form').waitFor();
      expect(await page.getByTestId('authorize-reauth').count()).toBe(0); // nobody is signed in
    });
  },
);

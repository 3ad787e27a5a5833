// The front desk's browser-session cookie (`__Host-keycard_sso`, `{id}.{mac}`) over real HTTP: only
// a cookie this server made for a live session signs the browser in, and each session has its own
// CSRF token. The sign-in pages' details call shows whether the browser counts as signed in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSessionCookieValue,
  browserSessionCsrf,
  browserSessionIdFrom,
} from '../src/http/browser-session.js';
import { addUser, type Running } from './helpers.js';
import {
  addCodeClient,
  Browser,
  interactionOf,
  requestParams,
  signInThroughPages,
  startAuthorizeServer,
} from './support/authorize-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startAuthorizeServer>>['clock'];
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ({ running: r, clock } = await startAuthorizeServer());
  await addUser(r, 'alice', PASSWORD);
  // A code is exchanged for a card for one of the client's audiences: each client has one.
  await r.server.services.storage.audiences.upsert({
    id: 'rooms',
    name: 'Rooms',
    scopes: [],
    uri: null,
    createdAt: 0,
  });
  await addCodeClient(r, { id: 'spa', scopes: ['openid'], audiences: ['rooms'] });
  await addCodeClient(r, { id: 'desk', firstParty: true, scopes: ['openid'], audiences: ['rooms'] });
});
afterAll(async () => {
  await r?.close();
});

async function signedIn(): Promise<{ browser: Browser; id: string; mac: string }> {
  const browser = new Browser();
  await signInThroughPages(r.url, browser, requestParams('desk'), 'alice', PASSWORD);
  const cookie = browser.cookie ?? '';
  const dot = cookie.lastIndexOf('.');
  return { browser, id: cookie.slice(0, dot), mac: cookie.slice(dot + 1) };
}

/** Who the server sees in a browser holding `cookie`, and whether consent would be let through. */
async function seenAs(cookie: string | undefined) {
  const browser = new Browser();
  const interaction = interactionOf((await browser.authorize(r.url, requestParams('spa'))).location);
  browser.cookie = cookie;
  const details = await browser.call(r.url, 'details', { interaction });
  const consent = await browser.call(
    r.url,
    'consent',
    { interaction, allow: true },
    { 'x-csrf-token': details.body.csrf ?? 'none' },
  );
  return { user: details.body.user?.username ?? null, consentStatus: consent.status };
}

describe('the browser-session cookie', () => {
  it('a cookie the server made for a live session signs the browser in', async () => {
    const { browser } = await signedIn();
    expect(await seenAs(browser.cookie)).toEqual({ user: 'alice', consentStatus: 200 });
  });

  it('a forged MAC, a bare session id, or another session’s MAC are nobody', async () => {
    const a = await signedIn();
    const b = await signedIn();
    const flipped = `${a.mac.slice(0, -1)}${a.mac.endsWith('A') ? 'B' : 'A'}`;
    for (const cookie of [
      `${a.id}.${flipped}`,
      a.id,
      `${a.id}.`,
      `${a.id}.${b.mac}`,
      `.${a.mac}`,
      `${a.id}.${a.mac}.x`,
    ]) {
      expect(await seenAs(cookie), cookie).toEqual({ user: null, consentStatus: 401 });
    }
  });

  it('the MAC is keyed: the session id alone (an ID token’s sid) does not give the cookie', () => {
    const ctx = r.server.services;
    const value = browserSessionCookieValue(ctx, 'some-session-id');
    expect(value.startsWith('some-session-id.')).toBe(true);
    expect(value.slice('some-session-id.'.length)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const fakeRequest = (cookie: string) => ({ cookies: { '__Host-keycard_sso': cookie } }) as never;
    expect(browserSessionIdFrom(ctx, fakeRequest(value))).toBe('some-session-id');
    expect(browserSessionIdFrom(ctx, fakeRequest(`${value}x`))).toBeUndefined();
    expect(browserSessionIdFrom(ctx, fakeRequest(`${'a'.repeat(200)}${value}`))).toBeUndefined();
  });

  it('an ended session is no longer current', async () => {
    const { browser, id } = await signedIn();
    await r.server.services.storage.browserSessions.end(id, clock(), 'logout');
    expect(await seenAs(browser.cookie)).toEqual({ user: null, consentStatus: 401 });
  });

  it('an expired session is no longer current (authorize.browserSessionTtl)', async () => {
    const { browser } = await signedIn();
    clock.advance(86_400_000 - 1);
    expect((await seenAs(browser.cookie)).user).toBe('alice');
    clock.advance(1);
    expect(await seenAs(browser.cookie)).toEqual({ user: null, consentStatus: 401 });
  });

  it('a deleted user’s session is no sign-in', async () => {
    await addUser(r, 'erin', PASSWORD);
    const browser = new Browser();
    await signInThroughPages(r.url, browser, requestParams('desk'), 'erin', PASSWORD);
    expect((await seenAs(browser.cookie)).user).toBe('erin');
    const erin = await r.server.services.storage.users.getByUsername('erin');
    await r.server.services.storage.users.delete(erin!.id);
    expect(await seenAs(browser.cookie)).toEqual({ user: null, consentStatus: 401 });
  });
});

describe('the CSRF token', () => {
  it('is per session, handed out only to that session, and stable for it', async () => {
    const a = await signedIn();
    const b = await signedIn();
    const ctx = r.server.services;
    expect(browserSessionCsrf(ctx, a.id)).not.toBe(browserSessionCsrf(ctx, b.id));
    expect(browserSessionCsrf(ctx, a.id)).toBe(browserSessionCsrf(ctx, a.id));
    const interaction = interactionOf((await new Browser().authorize(r.url, requestParams('spa'))).location);
    const details = await a.browser.call(r.url, 'details', { interaction });
    expect(details.body.csrf).toBe(browserSessionCsrf(ctx, a.id));
    // Not the cookie's MAC: knowing one tells nothing of the other.
    expect(details.body.csrf).not.toBe(a.mac);
    const nobody = await new Browser().call(r.url, 'details', { interaction });
    expect(nobody.body.csrf).toBeUndefined();
  });
});

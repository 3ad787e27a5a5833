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
  testClock,
} from './helpers.js';
import { addAppSession, addBrowserSession, addCodeClient } from './support/sign-out-fixtures.js';

const PASSWORD = 'correct horse battery';

/** The account page's "Apps you allowed", its offline-access marks, and the front desk's sign-outs. */
describe('account: consents and sign-out at the front desk', () => {
  const clock = testClock();
  let r: Running;
  let alice: UserRecord;
  let bob: UserRecord;

  beforeAll(async () => {
    r = await startServer({}, { clock });
    await addAudience(r, 'rooms', ['rooms:read']);
    await r.server.services.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: 0 });
    alice = await addUser(r, 'alice', PASSWORD);
    bob = await addUser(r, 'bob', PASSWORD);
    await addCodeClient(r, 'travel', { name: 'Travel Desk' });
    await addCodeClient(r, 'spa', { name: 'Room Service' });
  });
  afterAll(() => r.close());

  const login = async (username: string) =>
    (await postJson(`${r.url}/api/login`, { username, password: PASSWORD })).body as Body;
  const call = (path: string, token: string, method = 'GET') =>
    fetch(`${r.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const consent = (userId: string, clientId: string, scopes: string[]) =>
    r.server.services.storage.consents.put({
      userId,
      clientId,
      scopes,
      audiences: ['rooms'],
      createdAt: clock(),
      updatedAt: clock(),
    });
  const refresh = (refreshToken: string, clientId: string) =>
    postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
    });
  const liveBrowser = async (id: string) =>
    (await r.server.services.storage.browserSessions.get(id))?.endedAt === null;

  it('lists only the caller’s own consents, with the client’s name', async () => {
    await consent(alice.id, 'travel', ['openid', 'rooms:read']);
    clock.advance(1000);
    await consent(alice.id, 'spa', ['openid', 'offline_access']);
    await consent(bob.id, 'travel', ['openid']);
    const card = (await login('alice')).access_token;
    const res = await getJson(`${r.url}/api/account/consents`, { authorization: `Bearer ${card}` });
    expect(res.status).toBe(200);
    expect(res.body.consents).toEqual([
      expect.objectContaining({
        clientId: 'travel',
        clientName: 'Travel Desk',
        scopes: ['openid', 'rooms:read'],
      }),
      expect.objectContaining({ clientId: 'spa', clientName: 'Room Service', audiences: ['rooms'] }),
    ]);
    expect((await getJson(`${r.url}/api/account/consents`)).status).toBe(401);
  });

  it('revoking a consent forgets it and revokes that client’s sessions, offline ones included', async () => {
    await consent(alice.id, 'travel', ['openid', 'offline_access', 'rooms:read']);
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
    const otherApp = await addAppSession(r, {
      userId: alice.id,
      clientId: 'spa',
      browserSessionId: browser.id,
    });
    const bobs = await addAppSession(r, { userId: bob.id, clientId: 'travel', browserSessionId: null });
    const card = (await login('alice')).access_token;

    const sessions = (await getJson(`${r.url}/api/sessions`, { authorization: `Bearer ${card}` })).body
      .sessions as Body[];
    expect(sessions.find((s) => s.id === offline.id)?.offline).toBe(true);
    expect(sessions.find((s) => s.id === online.id)?.offline).toBe(false);

    const before = (await getJson(`${r.url}/revocations`)).body.cursor as number;
    expect((await call('/api/account/consents/travel', card, 'DELETE')).status).toBe(204);
    expect(await r.server.services.storage.consents.get(alice.id, 'travel')).toBeUndefined();
    const feed = (await getJson(`${r.url}/revocations?after=${before}`)).body as Body;
    expect(feed.events.map((e: Body) => e.sid).sort()).toEqual([online.id, offline.id].sort());
    expect((await refresh(online.refreshToken, 'travel')).body.error).toBe('invalid_grant');
    expect((await refresh(offline.refreshToken, 'travel')).body.error).toBe('invalid_grant');
    // Another app, another user: untouched. The browser session itself goes on.
    expect((await refresh(otherApp.refreshToken, 'spa')).status).toBe(200);
    expect((await refresh(bobs.refreshToken, 'travel')).status).toBe(200);
    expect(await r.server.services.storage.consents.get(bob.id, 'travel')).toBeDefined();
    expect(await liveBrowser(browser.id)).toBe(true);

    const again = await call('/api/account/consents/travel', card, 'DELETE');
    expect(again.status).toBe(404);
    expect(((await again.json()) as Body).error.code).toBe('ERR_CONSENT_NOT_FOUND');
    await r.server.services.audit.flush();
    const audit = await r.server.services.storage.audit.list({ type: 'consent.revoke', limit: 5 });
    expect(audit[0]).toMatchObject({ actor: alice.id, subject: 'travel', detail: { revokedSessions: 2 } });
  });

  it('/api/logout also ends this browser’s session and clears its cookie', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const app = await addAppSession(r, { userId: alice.id, clientId: 'spa', browserSessionId: browser.id });
    const signIn = await login('alice');
    const res = await fetch(`${r.url}/api/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: browser.cookie },
      body: JSON.stringify({ refresh_token: signIn.refresh_token }),
    });
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('__Host-keycard_sso=;'))).toBe(true);
    expect(await liveBrowser(browser.id)).toBe(false);
    expect((await refresh(app.refreshToken, 'spa')).body.error).toBe('invalid_grant');
  });

  it('/api/logout ends this browser’s session only for the person who signed out: a forged form cannot', async () => {
    const browser = await addBrowserSession(r, alice.id);
    const app = await addAppSession(r, { userId: alice.id, clientId: 'spa', browserSessionId: browser.id });
    const clearsSso = (res: Response) =>
      res.headers.getSetCookie().some((c) => c.startsWith('__Host-keycard_sso=;'));
    // What a page elsewhere on the site can send: a form (no preflight), the Lax cookie rides along.
    const form = (fields: Record<string, string>) =>
      fetch(`${r.url}/api/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: browser.cookie },
        body: new URLSearchParams(fields).toString(),
      });
    const madeUp = await form({ refresh_token: 'anything' });
    expect(madeUp.status).toBe(204);
    expect(clearsSso(madeUp)).toBe(false);
    expect(await liveBrowser(browser.id)).toBe(true);
    // The attacker's own valid refresh token signs the attacker out, not the victim.
    const bobs = await login('bob');
    const own = await form({ refresh_token: bobs.refresh_token });
    expect(own.status).toBe(204);
    expect(clearsSso(own)).toBe(false);
    expect(await liveBrowser(browser.id)).toBe(true);
    expect((await refresh(bobs.refresh_token, 'keycard-web')).body.error).toBe('invalid_grant');
    // A card of the same person (which no form can send) does end it.
    const card = (await login('alice')).access_token;
    const res = await fetch(`${r.url}/api/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${card}`, cookie: browser.cookie },
    });
    expect(res.status).toBe(204);
    expect(clearsSso(res)).toBe(true);
    expect(await liveBrowser(browser.id)).toBe(false);
    expect((await refresh(app.refreshToken, 'spa')).body.error).toBe('invalid_grant');
  });

  it('sign out everywhere ends every browser session of the user, and only theirs', async () => {
    const one = await addBrowserSession(r, alice.id);
    const two = await addBrowserSession(r, alice.id);
    const bobs = await addBrowserSession(r, bob.id);
    const offline = await addAppSession(r, {
      userId: alice.id,
      clientId: 'spa',
      browserSessionId: one.id,
      offline: true,
    });
    const card = (await login('alice')).access_token;
    expect((await call('/api/logout-all', card, 'POST')).status).toBe(204);
    expect(await liveBrowser(one.id)).toBe(false);
    expect(await liveBrowser(two.id)).toBe(false);
    expect(await liveBrowser(bobs.id)).toBe(true);
    // Everywhere means everything, offline access included.
    expect((await refresh(offline.refreshToken, 'spa')).body.error).toBe('invalid_grant');
  });

  it('a new password ends the other browser sessions', async () => {
    const browser = await addBrowserSession(r, bob.id);
    const card = (await login('bob')).access_token;
    const res = await fetch(`${r.url}/api/password`, {
      method: 'POST',
      headers: { authorization: `Bearer ${card}`, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: PASSWORD, newPassword: `${PASSWORD}!` }),
    });
    expect(res.status).toBe(204);
    expect(await liveBrowser(browser.id)).toBe(false);
    expect((await call('/api/me', card)).status).toBe(200);
  });

  it('a new password keeps the browser session the kept session came from', async () => {
    const { changePassword } = await import('../src/index.js');
    const here = await addBrowserSession(r, bob.id);
    const there = await addBrowserSession(r, bob.id);
    const kept = await addAppSession(r, { userId: bob.id, clientId: 'spa', browserSessionId: here.id });
    await changePassword(
      r.server.services,
      { userId: bob.id, newPassword: `${PASSWORD}?`, keepSessionId: kept.id },
      { ip: null, userAgent: null },
    );
    expect(await liveBrowser(here.id)).toBe(true);
    expect(await liveBrowser(there.id)).toBe(false);
    expect((await refresh(kept.refreshToken, 'spa')).status).toBe(200);
  });
});

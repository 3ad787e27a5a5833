// Attacks on the authorization-code and OpenID Connect surface from outside, over real HTTP: each
// must be refused or answered without harm. (The flow's own suites cover the rules one by one; these
// are the ways around them that were tried; see also attack-requests and attack-secrets.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { addUser, postForm, postJson, type Running, startServer } from './helpers.js';
import {
  addCodeClient,
  answerOf,
  Browser,
  interactionOf,
  PASSWORD,
  pkce,
  REDIRECT,
  requestParams,
  startSeededAuthorizeServer,
} from './support/authorize-flow.js';
import {
  addAppSession,
  addBrowserSession,
  addCodeClient as addSignOutClient,
  idTokenFor,
  type Receiver,
  startReceiver,
} from './support/sign-out-fixtures.js';

/**
 * Holds the next `sessions.create` made for a sign-in through `browserSessionId` until released,
 * so something else can happen between the code's checks and its session.
 */
function holdSessionCreate(r: Running, browserSessionId: string) {
  const store = r.server.services.storage.sessions;
  const original = store.create.bind(store);
  let reached!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  store.create = async (session) => {
    if (session.browserSessionId !== browserSessionId) return original(session);
    store.create = original;
    reached();
    await released;
    return original(session);
  };
  return { held, release };
}

describe('what a code still gives once the person took it back', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  /** alice signs in for the third-party `spa` and allows it: her browser and a code for `spa`. */
  async function allowedCode(running: Running) {
    const { verifier, challenge } = pkce();
    const browser = new Browser();
    const params = requestParams('spa', { scope: 'openid offline_access', code_challenge: challenge });
    const interaction = interactionOf((await browser.authorize(running.url, params)).location);
    const login = await browser.call(running.url, 'login', {
      interaction,
      username: 'alice',
      password: PASSWORD,
    });
    const csrf = login.body.details.csrf as string;
    const allow = await browser.call(
      running.url,
      'consent',
      { interaction, allow: true },
      { 'x-csrf-token': csrf },
    );
    const { code } = answerOf(allow.body.redirect);
    const form = { grant_type: 'authorization_code', client_id: 'spa', code: code!, redirect_uri: REDIRECT };
    return {
      browser,
      csrf,
      exchange: () => postForm(`${running.url}/oauth/token`, { ...form, code_verifier: verifier }),
    };
  }

  it('an app’s unexchanged code is worth nothing once its consent is revoked on the account page', async () => {
    ({ running: r } = await startSeededAuthorizeServer());
    const { exchange } = await allowedCode(r);
    // alice, at the account page: "Apps you allowed" → revoke Room service app.
    const card = (await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD })).body;
    const revoke = await fetch(`${r.url}/api/account/consents/spa`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${card.access_token}` },
    });
    expect(revoke.status).toBe(204);
    const late = await exchange();
    expect([late.status, late.body.error]).toEqual([400, 'invalid_grant']);
    const sessions = await r.server.services.storage.sessions.listByUser(card.user.id);
    expect(sessions.filter((s) => s.clientId === 'spa')).toEqual([]);
  });

  it('a sign-out landing while the code is being exchanged leaves no live session behind', async () => {
    ({ running: r } = await startSeededAuthorizeServer());
    const { browser, csrf, exchange } = await allowedCode(r);
    const cookie = `__Host-keycard_sso=${browser.cookie}`;
    const browserSessionId = browser.cookie!.slice(0, browser.cookie!.lastIndexOf('.'));
    // The exchange has checked the code and its browser session; its session is not stored yet.
    const hold = holdSessionCreate(r, browserSessionId);
    const exchanged = exchange();
    await hold.held;
    // Meanwhile alice signs out at the front desk (the confirmation page of RP-initiated logout).
    const start = await fetch(`${r.url}/oauth/logout`, { redirect: 'manual', headers: { cookie } });
    const logout = /l=([A-Za-z0-9._-]+)$/.exec(start.headers.get('location') ?? '')?.[1];
    const out = await postJson(
      `${r.url}/api/authorize/logout`,
      { logout, confirm: true },
      { cookie, 'x-csrf-token': csrf },
    );
    expect(out.status).toBe(200);
    expect((await r.server.services.storage.browserSessions.get(browserSessionId))?.endedAt).not.toBeNull();
    hold.release();
    const answer = await exchanged;
    expect([answer.status, answer.body.error]).toEqual([400, 'invalid_grant']);
    const sessions = await r.server.services.storage.sessions.listByBrowserSession(
      browserSessionId,
      r.server.services.clock(),
    );
    expect(sessions.filter((s) => s.revokedAt === null)).toEqual([]);
  });
});

describe('loopback redirect URIs spelled another way', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  // RFC 8252 §7.3 lets a loopback redirect take any port; nothing else about it may vary.
  it.each([
    ['user info before the host', 'http://127.0.0.1:80@evil.example/cb'],
    ['user info with a port-like password', 'http://127.0.0.1:8080@evil.example/cb'],
    ['a fragment hiding the host', 'http://evil.example#@127.0.0.1/cb'],
    ['a backslash', 'http://127.0.0.1\\@evil.example/cb'],
    ['a short IPv4 form', 'http://127.1:8080/cb'],
    ['a decimal IPv4 form', 'http://2130706433:8080/cb'],
    ['a trailing dot', 'http://127.0.0.1.:8080/cb'],
    ['a zero-padded port', 'http://127.0.0.1:08080/cb'],
    ['IPv6 written in full', 'http://[0:0:0:0:0:0:0:1]:8080/cb'],
    ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]:8080/cb'],
    ['localhost', 'http://localhost:8080/cb'],
    ['a dot segment', 'http://127.0.0.1:8080/x/../cb'],
    ['a doubled slash', 'http://127.0.0.1:8080//cb'],
    ['an encoded path', 'http://127.0.0.1:8080/%63b'],
    ['https', 'https://127.0.0.1:8080/cb'],
  ])('%s: the error page, never a redirect', async (_, redirectUri) => {
    ({ running: r } = await startSeededAuthorizeServer());
    await addCodeClient(r, { id: 'native', redirectUris: ['http://127.0.0.1/cb', 'http://[::1]/cb'] });
    const res = await new Browser().authorize(r.url, requestParams('native', { redirect_uri: redirectUri }));
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    const ok = await new Browser().authorize(
      r.url,
      requestParams('native', { redirect_uri: 'http://[::1]:8080/cb' }),
    );
    expect(ok.status).toBe(303);
  });
});

describe('back-channel logout delivery to a client that answers with a redirect', () => {
  let r: Running | undefined;
  const receivers: Receiver[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    await r?.close();
    r = undefined;
    for (const receiver of receivers.splice(0)) await receiver.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** A client endpoint answering every POST with `status` and `Location: target`. */
  async function redirecting(status: number, target: string): Promise<string> {
    const server = createServer((_req, res) => res.writeHead(status, { location: target }).end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/bcl`;
  }

  it('never follows it: the token goes to the registered URI only (no SSRF by redirect)', async () => {
    r = await startServer({ databaseUrl: 'memory', backchannelLogout: { retryDelayMs: 10, attempts: 2 } });
    const alice = await addUser(r, 'alice', PASSWORD);
    // What a redirect would reach: an internal service behind the client's endpoint.
    const internal = await startReceiver(() => 200);
    receivers.push(internal);
    await addSignOutClient(r, 'moved', { backchannelLogoutUri: await redirecting(307, internal.url) });
    await addSignOutClient(r, 'found', { backchannelLogoutUri: await redirecting(302, internal.url) });
    const browser = await addBrowserSession(r, alice.id);
    for (const clientId of ['moved', 'found'])
      await addAppSession(r, { userId: alice.id, clientId, browserSessionId: browser.id });
    const hint = await idTokenFor(r, alice, 'moved', browser.id);
    const out = await fetch(`${r.url}/oauth/logout?id_token_hint=${hint}`, {
      redirect: 'manual',
      headers: { cookie: browser.cookie },
    });
    expect(out.status).toBe(303);
    await r.server.services.backchannelLogout.idle();
    expect(internal.received).toEqual([]);
    await r.server.services.audit.flush();
    const events = await r.server.services.storage.audit.list({ type: 'logout.backchannel', limit: 10 });
    const results = events.map((e) => [e.subject, e.detail?.['result'], e.detail?.['status']]).sort();
    expect(results).toEqual([
      ['found', 'refused', 302],
      ['moved', 'refused', 307],
    ]);
  });
});

describe('password guessing through the sign-in pages', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('shares the per-account budget of /api/login both ways, and never locks out the owner elsewhere', async () => {
    ({ running: r } = await startSeededAuthorizeServer({
      trustProxy: true,
      throttle: { accountSourceFailures: { limit: 3, windowSeconds: 900 } },
    }));
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const pages = async (ip: string, password: string) => {
      const browser = new Browser();
      const interaction = interactionOf((await browser.authorize(r!.url, requestParams('desk'))).location);
      return browser.call(r!.url, 'login', { interaction, username: 'alice', password }, from(ip));
    };
    const api = (ip: string, password: string) =>
      postJson(`${r!.url}/api/login`, { username: 'alice', password }, from(ip));

    // Guesses at /api/login, then the right password through the pages from the same source.
    for (let i = 0; i < 3; i++) expect((await api('203.0.113.7', `guess-${i}`)).status).toBe(401);
    const side = await pages('203.0.113.7', PASSWORD);
    expect([side.status, side.body.error?.code]).toEqual([429, 'ERR_RATE_LIMITED']);
    // And the other way round: guesses through the pages count at /api/login.
    for (let i = 0; i < 3; i++) expect((await pages('198.51.100.9', `guess-${i}`)).status).toBe(401);
    expect((await api('198.51.100.9', PASSWORD)).status).toBe(429);
    // alice herself, from her own address, is not locked out by either.
    const own = await pages('192.0.2.44', PASSWORD);
    expect(own.status).toBe(200);
    expect(own.body.redirect).toMatch(/[?&]code=/);
  });
});

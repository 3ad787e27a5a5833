// Attacks on the authorization-code and OpenID Connect surface from outside, over real HTTP: each
// must be refused or answered without harm. (The flow's own suites cover the rules one by one; these
// are the ways around them that were tried.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
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
import { ASSERTION_TYPE, addClient, clientKey, signAssertion } from './support/client-assertions.js';
import {
  addAppSession,
  addBrowserSession,
  addCodeClient as addSignOutClient,
  idTokenFor,
  type Receiver,
  startReceiver,
} from './support/sign-out-fixtures.js';

/** Bounds a request that must be answered, not hang: generous, a hang takes minutes. */
const ANSWER_WITHIN_MS = 15_000;

describe('request size attacks on the authorization endpoint', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('a form of 150,000 distinct parameter names is read in one pass, not one pass per name', async () => {
    // Unknown parameters are ignored (RFC 6749 §3.1), but each was once looked up among all the
    // others: quadratic work that held the event loop for minutes on a body of one megabyte.
    ({ running: r } = await startSeededAuthorizeServer({ bodyLimit: 1_048_576 }));
    const form = new URLSearchParams(requestParams('spa'));
    for (let i = 0; form.size < 150_000; i++) form.append(`x${i.toString(36)}`, '');
    const res = await fetch(`${r.url}/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\/#\/authorize\?i=/);
  });

  it('a repeated parameter is still refused, and a too-long one', async () => {
    ({ running: r } = await startSeededAuthorizeServer());
    const post = async (body: string) => {
      const res = await fetch(`${r!.url}/oauth/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
      });
      return new URL(res.headers.get('location') ?? '').searchParams;
    };
    const base = new URLSearchParams(requestParams('spa')).toString();
    expect((await post(`${base}&x=1&y=2&x=3`)).get('error_description')).toBe('a parameter is repeated');
    expect((await post(`${base}&nonce=a&nonce=b`)).get('error_description')).toBe('nonce is repeated');
    const long = await post(`${base.replace(/nonce=[^&]*/, `nonce=${'n'.repeat(513)}`)}`);
    expect(long.get('error_description')).toBe('nonce is longer than 512 characters');
    expect(long.get('state')).toBe('st-123');
  });
});

describe('request size attacks on the token endpoint', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('a form repeating resource 80,000 times is refused at once, not copied once per value', async () => {
    r = await startServer({ databaseUrl: 'memory', bodyLimit: 1_048_576 });
    const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: 'keycard-cli' });
    for (let i = 0; i < 80_000; i++) form.append('resource', 'r');
    const res = await fetch(`${r.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('invalid_request');
  });
});

/** A sealed value (`v1.iv.body.tag`) with its GCM tag cut to `bytes`. */
function withShortTag(sealed: string, bytes: number): string {
  const [version, iv, body, tag] = sealed.split('.') as [string, string, string, string];
  const cut = Buffer.from(tag, 'base64url').subarray(0, bytes).toString('base64url');
  return [version, iv, body, cut].join('.');
}

describe('sealed values the pages carry (interaction i, sign-out l)', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('open only with their full 128-bit tag: a 4-byte tag is forgeable by trying 2^32 values', async () => {
    ({ running: r } = await startSeededAuthorizeServer());
    const browser = new Browser();
    const interaction = interactionOf((await browser.authorize(r.url, requestParams('spa'))).location);
    expect((await browser.call(r.url, 'details', { interaction })).status).toBe(200);
    for (const bytes of [4, 8, 12, 15]) {
      const cut = await browser.call(r.url, 'details', { interaction: withShortTag(interaction, bytes) });
      expect([bytes, cut.status, cut.body.error?.code]).toEqual([bytes, 400, 'ERR_INTERACTION_EXPIRED']);
    }

    const signOut = await fetch(`${r.url}/oauth/logout`, { redirect: 'manual' });
    const logout = /\/#\/logout\?l=([A-Za-z0-9._-]+)$/.exec(signOut.headers.get('location') ?? '')?.[1];
    expect(logout).toBeDefined();
    expect((await postJson(`${r.url}/api/authorize/logout/details`, { logout })).status).toBe(200);
    const cut = await postJson(`${r.url}/api/authorize/logout/details`, { logout: withShortTag(logout!, 4) });
    expect([cut.status, cut.body.error?.code]).toEqual([400, 'ERR_LOGOUT_EXPIRED']);
  });
});

describe('CORS on the sign-in pages’ API, whatever the spelling of the path', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  const ORIGIN = 'https://app.example.com';

  it('a percent-encoded letter reaches the same route and gets no CORS either', async () => {
    // The router decodes %61 to "a"; the CORS rule read the path as sent, so a configured origin
    // could read the consent CSRF token through /api/%61uthorize/details and post the consent.
    ({ running: r } = await startSeededAuthorizeServer({ cors: { origins: [ORIGIN] } }));
    const browser = new Browser();
    const interaction = interactionOf((await browser.authorize(r.url, requestParams('spa'))).location);
    for (const path of ['/api/authorize/details', '/api/%61uthorize/details', '/api/authorize/%64etails']) {
      const res = await fetch(`${r.url}${path}`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ interaction }),
      });
      expect([path, res.status, res.headers.get('access-control-allow-origin')]).toEqual([path, 200, null]);
      const preflight = await fetch(`${r.url}${path.replace('details', 'consent')}`, {
        method: 'OPTIONS',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-csrf-token',
        },
      });
      expect([path, preflight.headers.get('access-control-allow-origin')]).toEqual([path, null]);
    }
    const authorize = await fetch(`${r.url}/oauth/%61uthorize?${new URLSearchParams(requestParams('spa'))}`, {
      headers: { origin: ORIGIN },
      redirect: 'manual',
    });
    expect(authorize.status).toBe(303);
    expect(authorize.headers.get('access-control-allow-origin')).toBeNull();
    // The rest of /api keeps its CORS for the configured origin.
    const me = await fetch(`${r.url}/api/%6de`, { headers: { origin: ORIGIN } });
    expect(me.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });
});

describe('request lines in the log', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('never carry an id_token_hint (a whole ID token) or a login_hint', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    r = await startServer({ databaseUrl: 'memory' }, { logger: createLogger('info', sink) });
    const user = await addUser(r, 'mallory-victim', 'correct horse battery');
    const idToken = await idTokenFor(r, user, 'keycard-web', 'bs-1');
    const signature = idToken.split('.')[2]!;
    await fetch(`${r.url}/oauth/logout?id_token_hint=${idToken}&state=s1`, { redirect: 'manual' });
    await fetch(`${r.url}/oauth/logout?id%5Ftoken%5Fhint=${idToken}`, { redirect: 'manual' });
    await fetch(`${r.url}/oauth/authorize?client_id=x&login_hint=victim%40mail.example`, {
      redirect: 'manual',
    });
    const log = lines.join('');
    expect(log).toContain('/oauth/logout?id_token_hint=[redacted]&state=s1');
    expect(log).toContain('/oauth/authorize?client_id=x&login_hint=[redacted]');
    expect(log).not.toContain(signature);
    expect(log).not.toContain('victim%40mail.example');
  });
});

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

describe('the flow’s secrets in the log, the audit log and the metrics', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('never a password, interaction, cookie, CSRF token, code, verifier, assertion or token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const METRICS_TOKEN = 'scrape-Token_0123456789abcdefghijklmnopqrstuvwxyz';
    ({ running: r } = await startSeededAuthorizeServer(
      { metrics: { token: METRICS_TOKEN } },
      { logger: createLogger('trace', sink) },
    ));
    const url = r.url;
    const secrets = new Set<string>([PASSWORD]);
    const keep = (value: string | undefined) => {
      if (value === undefined || value.length < 16) return;
      secrets.add(value);
      // Each part of a JWS or a sealed value is enough to tell it.
      for (const part of value.split('.')) if (part.length >= 16) secrets.add(part);
    };

    // The whole flow for the third-party `spa`: sign-in, consent, code, exchange, refresh, userinfo.
    const { verifier, challenge } = pkce();
    keep(verifier);
    const browser = new Browser();
    const params = requestParams('spa', {
      scope: 'openid profile offline_access',
      code_challenge: challenge,
    });
    const interaction = interactionOf((await browser.authorize(url, params)).location);
    keep(interaction);
    const wrong = await browser.call(url, 'login', {
      interaction,
      username: 'alice',
      password: `${PASSWORD}!`,
    });
    expect(wrong.status).toBe(401);
    keep(`${PASSWORD}!`);
    const login = await browser.call(url, 'login', { interaction, username: 'alice', password: PASSWORD });
    // The cookie is `{id}.{mac}`: the id is the ID tokens' (public) sid, the MAC is the secret.
    secrets.add(browser.cookie!);
    secrets.add(browser.cookie!.slice(browser.cookie!.lastIndexOf('.') + 1));
    const csrf = login.body.details.csrf as string;
    keep(csrf);
    const allow = await browser.call(url, 'consent', { interaction, allow: true }, { 'x-csrf-token': csrf });
    const { code } = answerOf(allow.body.redirect);
    keep(code);
    const form = { grant_type: 'authorization_code', client_id: 'spa', code: code!, redirect_uri: REDIRECT };
    const bad = await postForm(`${url}/oauth/token`, { ...form, code_verifier: `${verifier}x` });
    expect(bad.body.error).toBe('invalid_grant');
    const spent = await postForm(`${url}/oauth/token`, { ...form, code_verifier: verifier });
    expect(spent.status).toBe(400); // the wrong verifier used the code up
    const again = pkce();
    keep(again.verifier);
    // Allowed before: the code comes straight back in the 303 (its Location is never logged).
    const direct = await browser.authorize(url, { ...params, code_challenge: again.challenge });
    const next = answerOf(direct.location).code;
    keep(next);
    const issued = await postForm(`${url}/oauth/token`, {
      ...form,
      code: next!,
      code_verifier: again.verifier,
    });
    expect(issued.status).toBe(200);
    keep(issued.body.access_token);
    keep(issued.body.id_token);
    // A refresh token is `rt1.<session id>.<random>.<mac>`: the session id is in every card.
    const [, , random, mac] = (issued.body.refresh_token as string).split('.');
    for (const part of [issued.body.refresh_token, random, mac]) secrets.add(part as string);
    const replay = await postForm(`${url}/oauth/token`, {
      ...form,
      code: next!,
      code_verifier: again.verifier,
    });
    expect(replay.body.error).toBe('invalid_grant');
    const refreshed = await postForm(`${url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: issued.body.refresh_token,
    });
    expect(refreshed.status).toBe(400); // the replay revoked the session
    await fetch(`${url}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${issued.body.access_token}` },
    });

    // Sign-out through the confirmation page, with the ID token as hint.
    const start = await fetch(`${url}/oauth/logout?id_token_hint=${issued.body.id_token}`, {
      redirect: 'manual',
    });
    expect(start.status).toBe(303);
    const cookie = `__Host-keycard_sso=${browser.cookie}`;
    const noHint = await fetch(`${url}/oauth/logout`, { redirect: 'manual', headers: { cookie } });
    const logout = /l=([A-Za-z0-9._-]+)$/.exec(noHint.headers.get('location') ?? '')?.[1];
    keep(logout);
    const out = await postJson(
      `${url}/api/authorize/logout`,
      { logout, confirm: true },
      { cookie, 'x-csrf-token': csrf },
    );
    expect(out.status).toBe(200);

    // private_key_jwt: an assertion accepted, then replayed.
    const key = await clientKey('ES256', 'svc-key-1');
    await addClient(r.server.services.storage, 'svc', {
      keys: [key],
      audiences: ['rooms'],
      scopes: ['rooms:open'],
    });
    r.server.services.directory.invalidate();
    const assertion = await signAssertion(key, 'svc', `${url}/oauth/token`, r.server.services.clock());
    keep(assertion);
    const assertionForm = {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    };
    const served = await postForm(`${url}/oauth/token`, assertionForm);
    expect(served.status).toBe(200);
    keep(served.body.access_token);
    expect((await postForm(`${url}/oauth/token`, assertionForm)).status).toBe(401);

    await r.server.services.audit.flush();
    const audit = JSON.stringify(await r.server.services.storage.audit.list({ limit: 1000 }));
    const metrics = await (
      await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const log = lines.join('');
    // The server did log and audit this flow (so an empty record cannot pass).
    expect(log).toMatch(/\/api\/authorize\/consent/);
    expect(audit).toMatch(/authorize\.code/);
    expect(audit).toMatch(/code\.replayed/);
    expect(metrics).toMatch(/keycard_authorizations_total/);
    expect(secrets.size).toBeGreaterThan(25);
    for (const secret of secrets) {
      expect(log.includes(secret), `log contains ${secret.slice(0, 8)}…`).toBe(false);
      expect(audit.includes(secret), `audit contains ${secret.slice(0, 8)}…`).toBe(false);
      expect(metrics.includes(secret), `metrics contain ${secret.slice(0, 8)}…`).toBe(false);
    }
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

// The sign-in pages' JSON API (POST /api/authorize/*) over real HTTP: what details answers, sign-in
// with /api/login's throttle and no-enumeration rules, and interactions that expire or were never ours.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERACTION_CONTEXT } from '../src/authorize/index.js';
import { addUser, postJson, type Running } from './helpers.js';
import {
  addCodeClient,
  answerOf,
  Browser,
  interactionOf,
  PASSWORD,
  requestParams,
  signInThroughPages,
  startSeededAuthorizeServer,
} from './support/authorize-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startSeededAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startSeededAuthorizeServer({
    throttle: { loginPerIp: { limit: 12, windowSeconds: 60 } },
    cors: { origins: ['https://app.example.com'] },
  }));
});
afterAll(async () => {
  await r?.close();
});

/** A new browser at the pages for `params`: the interaction of its link. */
async function atPages(browser: Browser, params = requestParams('spa')): Promise<string> {
  return interactionOf((await browser.authorize(r.url, params)).location);
}

/** Moves the clock past the per-IP login window so a test starts with a fresh budget. */
function freshLoginWindow() {
  clock.advance(61_000);
}

describe('details', () => {
  it('before sign-in: the client, what it asks in plain terms, step login, no csrf', async () => {
    const browser = new Browser();
    const interaction = await atPages(
      browser,
      requestParams('spa', { scope: 'openid rooms:open', login_hint: 'alice' }),
    );
    const res = await browser.call(r.url, 'details', { interaction });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.body).toEqual({
      client: { id: 'spa', name: 'Room service app', firstParty: false },
      scopes: ['openid', 'rooms:open'],
      audiences: [{ id: 'rooms', name: 'Rooms (Express)' }],
      user: null,
      step: 'login',
      loginHint: 'alice',
      expiresAt: Math.floor(clock() / 1000) + 900,
    });
  });

  it('signed in: the user, their csrf, step consent (third party) or continue (nothing to ask)', async () => {
    freshLoginWindow();
    const browser = new Browser();
    await signInThroughPages(r.url, browser, requestParams('desk'), 'alice', PASSWORD);
    const consent = await browser.call(r.url, 'details', { interaction: await atPages(browser) });
    expect(consent.body).toMatchObject({
      step: 'consent',
      user: { username: 'alice' },
      csrf: expect.any(String),
    });
    // The page was reached some other way (a reload after another tab signed in): "Continue as alice".
    const interaction = await atPages(new Browser(), requestParams('desk'));
    const cont = await browser.call(r.url, 'details', { interaction });
    expect(cont.body.step).toBe('continue');
    const done = await browser.call(r.url, 'continue', { interaction }, { 'x-csrf-token': cont.body.csrf });
    expect(answerOf(done.body.redirect)).toMatchObject({
      state: 'st-123',
      iss: r.url,
      code: expect.any(String),
    });
  });
});

describe('interactions', () => {
  it('expire after authorize.interactionTtl', async () => {
    const browser = new Browser();
    const interaction = await atPages(browser);
    clock.advance(899_000);
    expect((await browser.call(r.url, 'details', { interaction })).status).toBe(200);
    clock.advance(1000);
    const res = await browser.call(r.url, 'details', { interaction });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ERR_INTERACTION_EXPIRED');
  });

  it('a tampered, foreign or malformed one is the same answer', async () => {
    const browser = new Browser();
    const interaction = await atPages(browser);
    const [v, iv, body, tag] = interaction.split('.');
    const flipped = `${body!.slice(0, -2)}${body!.endsWith('A') ? 'B' : 'A'}${body!.slice(-1)}`;
    const foreign = r.server.services.sealer.seal(
      JSON.stringify({ v: 1, r: {}, a: [], c: clock(), e: clock() + 1e6 }),
      'something-else',
    );
    for (const value of [
      `${v}.${iv}.${flipped}.${tag}`,
      foreign,
      'v1.a.b.c',
      'x',
      interaction.replace('v1', 'v2'),
    ]) {
      const res = await browser.call(r.url, 'details', { interaction: value });
      expect(res.status, value).toBe(400);
      expect(res.body.error.code).toBe('ERR_INTERACTION_EXPIRED');
    }
    expect(INTERACTION_CONTEXT).toBe('authorize-interaction');
  });

  it('one whose client lost the redirect URI since is no longer honoured', async () => {
    await addCodeClient(r, { id: 'fickle', scopes: ['openid'], audiences: ['rooms'] });
    const browser = new Browser();
    const interaction = await atPages(browser, requestParams('fickle'));
    const { storage, directory } = r.server.services;
    const client = await storage.clients.get('fickle');
    await storage.clients.update({ ...client!, redirectUris: ['https://app.example.com/other'] });
    directory.invalidate();
    const res = await browser.call(r.url, 'details', { interaction });
    expect(res.body.error.code).toBe('ERR_INTERACTION_EXPIRED');
  });

  it('bad bodies are 4xx with a code, never 500', async () => {
    const browser = new Browser();
    for (const body of [{}, { interaction: 5 }, { interaction: 'x'.repeat(40_000) }, []]) {
      const res = await browser.call(r.url, 'details', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toMatch(/^ERR_(VALIDATION|INTERACTION_EXPIRED)$/);
    }
    const consent = await browser.call(r.url, 'consent', {
      interaction: await atPages(browser),
      allow: 'yes',
    });
    expect(consent.body.error.code).toBe('ERR_VALIDATION');
  });
});

describe('sign-in on the pages', () => {
  it('the right password: a browser session cookie, then consent (third party) with its csrf', async () => {
    freshLoginWindow();
    const browser = new Browser();
    const interaction = await atPages(browser);
    const res = await browser.call(r.url, 'login', { interaction, username: 'alice', password: PASSWORD });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-keycard_sso='));
    expect(cookie).toMatch(/; Max-Age=86400/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(res.body.details).toMatchObject({
      step: 'consent',
      user: { username: 'alice' },
      csrf: expect.any(String),
    });
    expect(res.body.redirect).toBeUndefined();
  });

  it('signing in again in the same browser: the same person keeps the session (same sid), another ends it', async () => {
    freshLoginWindow();
    await addUser(r, 'bruno', PASSWORD);
    const browser = new Browser();
    await signInThroughPages(r.url, browser, requestParams('desk'), 'alice', PASSWORD);
    const firstId = browser.cookie?.split('.')[0] ?? '';
    const { storage } = r.server.services;
    const first = await storage.browserSessions.get(firstId);
    /** An app session issued through the browser session (as the code grant records it). */
    const issuedThrough = async (id: string, browserSessionId: string, userId: string) => {
      const now = clock();
      await storage.sessions.create({
        id,
        userId,
        clientId: 'desk',
        audiences: ['rooms'],
        scopes: ['openid'],
        createdAt: now,
        lastUsedAt: now,
        expiresAt: now + 3_600_000,
        revokedAt: null,
        revokedReason: null,
        ip: null,
        userAgent: null,
        dpopJkt: null,
        browserSessionId,
      });
    };
    await issuedThrough('issued-to-alice', firstId, first?.userId ?? 'missing');

    // alice again (prompt=login): OIDC asks her to authenticate anew, not to sign out of her apps.
    clock.advance(1_000);
    const again = await signInThroughPages(
      r.url,
      browser,
      requestParams('desk', { prompt: 'login' }),
      'alice',
      PASSWORD,
    );
    expect(browser.cookie?.split('.')[0]).toBe(firstId);
    const kept = await storage.browserSessions.get(firstId);
    expect(kept).toMatchObject({
      endedAt: null,
      authTime: clock(),
      amr: ['pwd'],
      createdAt: first?.createdAt,
    });
    expect(kept!.authTime).toBeGreaterThan(first!.authTime);
    expect(kept!.expiresAt).toBeGreaterThan(first!.expiresAt);
    expect(await storage.sessions.get('issued-to-alice')).toMatchObject({ revokedAt: null });
    const code = answerOf(again.redirect).code!;
    const record = await storage.authorizationCodes.get(createHash('sha256').update(code).digest('hex'));
    expect(record).toMatchObject({ sid: firstId, authTime: clock() });

    // Someone else signs in in this browser: alice's session ends like a sign-out.
    clock.advance(1_000);
    await signInThroughPages(r.url, browser, requestParams('desk', { prompt: 'login' }), 'bruno', PASSWORD);
    const secondId = browser.cookie?.split('.')[0] ?? '';
    expect(secondId).not.toBe(firstId);
    expect(await storage.browserSessions.get(secondId)).toMatchObject({ endedAt: null });
    expect(await storage.browserSessions.get(firstId)).toMatchObject({ endedReason: 'replaced' });
    expect(await storage.sessions.get('issued-to-alice')).toMatchObject({ revokedReason: 'replaced' });
  });

  it('signing in again after the browser session ended starts a new one, leaving the old one’s apps be', async () => {
    freshLoginWindow();
    const browser = new Browser();
    await signInThroughPages(r.url, browser, requestParams('desk'), 'alice', PASSWORD);
    const firstId = browser.cookie?.split('.')[0] ?? '';
    const { storage } = r.server.services;
    await storage.browserSessions.end(firstId, clock(), 'logout');
    clock.advance(1_000);
    await signInThroughPages(r.url, browser, requestParams('desk'), 'alice', PASSWORD);
    const secondId = browser.cookie?.split('.')[0] ?? '';
    expect(secondId).not.toBe(firstId);
    expect(await storage.browserSessions.get(secondId)).toMatchObject({ endedAt: null, authTime: clock() });
    expect(await storage.browserSessions.get(firstId)).toMatchObject({ endedReason: 'logout' });
  });

  it('one answer for a wrong password, an unknown user and a disabled account', async () => {
    freshLoginWindow();
    await addUser(r, 'dora', PASSWORD);
    const dora = await r.server.services.storage.users.getByUsername('dora');
    await r.server.services.storage.users.update(dora!.id, { disabled: true, updatedAt: clock() });
    const answers = [];
    for (const [username, password] of [
      ['alice', 'wrong password'],
      ['nobody-here', PASSWORD],
      ['dora', PASSWORD],
    ]) {
      const browser = new Browser();
      const res = await browser.call(r.url, 'login', {
        interaction: await atPages(browser),
        username,
        password,
      });
      expect(browser.cookie).toBeUndefined();
      answers.push({ status: res.status, body: res.body });
    }
    expect(answers[0]).toEqual({
      status: 401,
      body: { error: { code: 'ERR_INVALID_CREDENTIALS', message: 'Invalid username or password' } },
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('shares the per-IP sign-in budget with /api/login', async () => {
    freshLoginWindow();
    for (let i = 0; i < 12; i++) {
      // Unknown names: the per-account limits stay out of it, only the per-IP budget counts.
      const res = await postJson(`${r.url}/api/login`, {
        username: `nobody-${i}`,
        password: 'x',
        client_id: 'keycard-cli',
      });
      expect(res.status).toBe(401);
    }
    const browser = new Browser();
    const res = await browser.call(r.url, 'login', {
      interaction: await atPages(browser),
      username: 'alice',
      password: PASSWORD,
    });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('ERR_RATE_LIMITED');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(browser.cookie).toBeUndefined();
    freshLoginWindow();
  });

  it('is audited: login.success via authorize, login.failure', async () => {
    freshLoginWindow();
    const browser = new Browser();
    await signInThroughPages(r.url, browser, requestParams('desk'), 'alice', PASSWORD);
    await r.server.services.audit.flush();
    const [success] = await r.server.services.storage.audit.list({ type: 'login.success', limit: 1 });
    expect(success?.detail).toEqual({ via: 'authorize', clientId: 'desk', amr: ['pwd'] });
    const failures = await r.server.services.storage.audit.list({ type: 'login.failure', limit: 50 });
    expect(failures.length).toBeGreaterThan(0);
    expect(JSON.stringify(failures)).not.toContain('wrong password');
  });

  it('JSON only: a form post (what a cross-site page can send) is refused', async () => {
    const browser = new Browser();
    const interaction = await atPages(browser);
    const res = await fetch(`${r.url}/api/authorize/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ interaction, username: 'alice', password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(415);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

// Consent and "continue" on the sign-in pages' JSON API over real HTTP: guarded by the browser
// session and its CSRF token, remembered per user and client, audited, deny sent back to the client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from './helpers.js';
import {
  answerOf,
  Browser,
  interactionOf,
  PASSWORD,
  requestParams,
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

describe('consent', () => {
  async function atConsent(scope = 'openid') {
    freshLoginWindow();
    const browser = new Browser();
    const interaction = await atPages(browser, requestParams('spa', { scope }));
    const login = await browser.call(r.url, 'login', { interaction, username: 'alice', password: PASSWORD });
    return { browser, interaction, csrf: login.body.details.csrf as string };
  }

  it('without X-CSRF-Token, or a wrong one: 403 and no code', async () => {
    const { browser, interaction, csrf } = await atConsent();
    await r.server.services.audit.flush();
    const codesBefore = await r.server.services.storage.audit.list({ type: 'authorize.code', limit: 1000 });
    for (const headers of [
      {} as Record<string, string>,
      { 'x-csrf-token': 'x'.repeat(csrf.length) },
      { 'x-csrf-token': `${csrf}x` },
    ]) {
      const res = await browser.call(r.url, 'consent', { interaction, allow: true }, headers);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('ERR_CSRF');
      expect(res.body.redirect).toBeUndefined();
    }
    await r.server.services.audit.flush();
    const codesAfter = await r.server.services.storage.audit.list({ type: 'authorize.code', limit: 1000 });
    expect(codesAfter.length).toBe(codesBefore.length);
    expect(await r.server.services.storage.consents.get((await alice()).id, 'spa')).toBeUndefined();
  });

  it('a cross-site style request (no cookie) is 401 ERR_LOGIN_REQUIRED, even with the right token', async () => {
    const { interaction, csrf } = await atConsent();
    const res = await new Browser().call(
      r.url,
      'consent',
      { interaction, allow: true },
      { 'x-csrf-token': csrf },
    );
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    const preflight = await fetch(`${r.url}/api/authorize/consent`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-csrf-token',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('deny: access_denied with state and iss, audited, nothing remembered', async () => {
    const { browser, interaction, csrf } = await atConsent();
    const res = await browser.call(r.url, 'consent', { interaction, allow: false }, { 'x-csrf-token': csrf });
    expect(res.status).toBe(200);
    expect(answerOf(res.body.redirect)).toEqual({
      error: 'access_denied',
      error_description: 'the person did not allow the request',
      state: 'st-123',
      iss: r.url,
    });
    await r.server.services.audit.flush();
    const [denied] = await r.server.services.storage.audit.list({ type: 'consent.denied', limit: 1 });
    expect(denied).toMatchObject({ subject: 'spa', detail: { clientId: 'spa' } });
    expect(await r.server.services.storage.consents.get((await alice()).id, 'spa')).toBeUndefined();
  });

  it('allow: a code, the consent remembered (merged) and audited', async () => {
    const userId = (await alice()).id;
    try {
      const first = await atConsent('openid profile');
      const res = await first.browser.call(
        r.url,
        'consent',
        { interaction: first.interaction, allow: true },
        { 'x-csrf-token': first.csrf },
      );
      expect(answerOf(res.body.redirect)).toMatchObject({
        code: expect.any(String),
        state: 'st-123',
        iss: r.url,
      });
      expect(await r.server.services.storage.consents.get(userId, 'spa')).toMatchObject({
        scopes: ['openid', 'profile'],
        audiences: ['rooms'],
      });
      await r.server.services.audit.flush();
      const [granted] = await r.server.services.storage.audit.list({ type: 'consent.granted', limit: 1 });
      expect(granted).toMatchObject({ actor: userId, subject: 'spa' });
      expect(granted?.detail).toEqual({
        clientId: 'spa',
        scopes: ['openid', 'profile'],
        audiences: ['rooms'],
      });

      // Asking for more asks again, and what is allowed then adds to what was.
      const more = await atConsent('rooms:open offline_access');
      const details = await more.browser.call(r.url, 'details', { interaction: more.interaction });
      expect(details.body).toMatchObject({ step: 'consent', scopes: ['rooms:open', 'offline_access'] });
      await more.browser.call(
        r.url,
        'consent',
        { interaction: more.interaction, allow: true },
        { 'x-csrf-token': more.csrf },
      );
      expect((await r.server.services.storage.consents.get(userId, 'spa'))?.scopes).toEqual([
        'openid',
        'profile',
        'rooms:open',
        'offline_access',
      ]);
      // Now nothing more is asked: a signed-in browser gets the code at once, and one that reaches
      // the pages anyway (a link opened before signing in) is offered "Continue as alice".
      const direct = await more.browser.authorize(
        r.url,
        requestParams('spa', { scope: 'openid rooms:open' }),
      );
      expect(answerOf(direct.location).code).toBeDefined();
      const again = await atPages(new Browser(), requestParams('spa', { scope: 'openid rooms:open' }));
      expect((await more.browser.call(r.url, 'details', { interaction: again })).body.step).toBe('continue');
    } finally {
      await r.server.services.storage.consents.delete(userId, 'spa');
    }
  });

  it('continue needs the session and its csrf too', async () => {
    const { browser, interaction, csrf } = await atConsent();
    expect(
      (await new Browser().call(r.url, 'continue', { interaction }, { 'x-csrf-token': csrf })).status,
    ).toBe(401);
    expect((await browser.call(r.url, 'continue', { interaction })).status).toBe(403);
    const ok = await browser.call(r.url, 'continue', { interaction }, { 'x-csrf-token': csrf });
    expect(ok.body.details.step).toBe('consent');
  });

  it('the csrf of another browser session does not pass', async () => {
    const a = await atConsent();
    const b = await atConsent();
    expect(a.csrf).not.toBe(b.csrf);
    const res = await a.browser.call(
      r.url,
      'consent',
      { interaction: a.interaction, allow: true },
      { 'x-csrf-token': b.csrf },
    );
    expect(res.status).toBe(403);
  });
});

async function alice() {
  const user = await r.server.services.storage.users.getByUsername('alice');
  if (user === undefined) throw new Error('no alice');
  return user;
}

// Attacks on the authorization-code surface through the shape of requests, over real HTTP: sizes
// that cost the server far more than the sender, sealed values cut short, paths spelled another way.
import { afterEach, describe, expect, it } from 'vitest';
import { postJson, type Running, startServer } from './helpers.js';
import {
  Browser,
  interactionOf,
  PASSWORD,
  requestParams,
  startSeededAuthorizeServer,
} from './support/authorize-flow.js';

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
    // Answered at once: such a form is too long to be sent on as a GET (the 303 a posted request
    // gets), so it is the error page.
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
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

    // A sign-out asked of a browser that is signed in here (no hint) goes to the confirm page's link.
    await browser.call(r.url, 'login', { interaction, username: 'alice', password: PASSWORD });
    const signOut = await fetch(`${r.url}/oauth/logout`, {
      redirect: 'manual',
      headers: { cookie: `__Host-keycard_sso=${browser.cookie}` },
    });
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

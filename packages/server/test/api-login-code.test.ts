// `POST /api/login/code`: the web app's end of the authorization-code flow. The code comes from the
// real /oauth/authorize and sign-in pages; the exchange answers like /api/login in cookie mode (the
// refresh token only in the HttpOnly cookie, a double-submit CSRF cookie), for `keycard-web` only,
// with the DPoP proof the client requires and the code's `dpop_jkt` names.
import { calculateThumbprint, createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/index.js';
import { WEB_CLIENT_ID } from '../src/index.js';
import { addUser, type Body, postJson, type Running, startServer, testClock } from './helpers.js';
import {
  addCodeClient,
  Browser,
  fakeWebApp,
  interactionOf,
  PASSWORD,
  pkce,
  REDIRECT,
} from './support/authorize-flow.js';

function cookiesOf(headers: Headers): Record<string, { value: string; attrs: string }> {
  const out: Record<string, { value: string; attrs: string }> = {};
  for (const line of headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const at = pair?.indexOf('=') ?? -1;
    if (pair === undefined || at === -1) continue;
    out[pair.slice(0, at).trim()] = { value: pair.slice(at + 1), attrs: attrs.join(';') };
  }
  return out;
}

describe('POST /api/login/code', () => {
  let r: Running;
  let web: { remove(): void };
  let key: PrivateKey;
  let other: PrivateKey;
  let jkt: string;
  const clock = testClock(Date.UTC(2030, 0, 1, 12));

  beforeAll(async () => {
    const app = fakeWebApp();
    web = app;
    // keycard-web as seeded: DPoP required.
    r = await startServer({ ui: { staticDir: app.dir } }, { clock, webClientDpop: 'as-seeded' });
    await addUser(r, 'alice', PASSWORD);
    await addCodeClient(r, { id: 'desk', firstParty: true, scopes: ['openid'], audiences: ['keycard'] });
    key = await generateKeyPair('ES256');
    other = await generateKeyPair('ES256');
    jkt = calculateThumbprint(key.publicKey.toJWK());
  });
  afterAll(async () => {
    await r?.close();
    web?.remove();
  });

  const proof = (k: PrivateKey, path = '/api/login/code') =>
    createDpopProof(k, { method: 'POST', url: `${r.url}${path}`, clock });

  /** The web app's sign-in through the pages: its answer's query, the verifier, the browser. */
  async function webAppCode(
    params: Record<string, string> = {},
    browser = new Browser(),
  ): Promise<{ answer: URL; verifier: string; browser: Browser }> {
    const { verifier, challenge } = pkce();
    const request = {
      response_type: 'code',
      client_id: WEB_CLIENT_ID,
      redirect_uri: `${r.url}/`,
      state: 'st-web',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      dpop_jkt: jkt,
      ...params,
    };
    const start = await browser.authorize(r.url, request);
    let redirect = start.location;
    if (start.location?.includes('/#/authorize?') === true) {
      const interaction = interactionOf(start.location);
      const login = await browser.call(r.url, 'login', {
        interaction,
        username: 'alice',
        password: PASSWORD,
      });
      expect(login.status).toBe(200);
      redirect = login.body.redirect;
    }
    if (typeof redirect !== 'string') throw new Error(`no redirect: ${redirect}`);
    return { answer: new URL(redirect), verifier, browser };
  }

  const exchange = (body: Body, headers: Record<string, string> = {}) =>
    postJson(`${r.url}/api/login/code`, body, headers);

  it('signs the web app in: cookies as /api/login sets them, a DPoP-bound session of the browser session', async () => {
    const { answer, verifier, browser } = await webAppCode();
    // Back at the web app's root with the code, its state and the issuer (RFC 9207).
    expect(`${answer.origin}${answer.pathname}`).toBe(`${r.url}/`);
    expect(answer.searchParams.get('state')).toBe('st-web');
    expect(answer.searchParams.get('iss')).toBe(r.url);
    const code = answer.searchParams.get('code') as string;

    const res = await exchange(
      { code, code_verifier: verifier, redirect_uri: `${r.url}/` },
      { dpop: proof(key) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      token_type: 'DPoP',
      audience: 'keycard',
      user: { username: 'alice' },
      session_id: expect.any(String),
    });
    expect(res.body.refresh_token).toBeUndefined();
    const cookies = cookiesOf(res.headers);
    const rt = cookies['__Host-keycard_rt'];
    const csrf = cookies['__Host-keycard_csrf'];
    expect(rt?.attrs).toMatch(/HttpOnly/);
    expect(rt?.attrs).toMatch(/Secure/);
    expect(rt?.attrs).toMatch(/SameSite=Strict/);
    expect(rt?.attrs).toMatch(/Path=\//);
    expect(rt?.attrs).not.toMatch(/Domain/i);
    expect(csrf?.attrs).toMatch(/Secure/);
    expect(csrf?.attrs).not.toMatch(/HttpOnly/);

    // The session is keycard-web's, bound to the proof key, and belongs to the front desk's browser session.
    const session = await r.server.services.storage.sessions.get(res.body.session_id);
    const browserSessionId = browser.cookie?.split('.')[0];
    expect(session).toMatchObject({ clientId: WEB_CLIENT_ID, dpopJkt: jkt, browserSessionId });

    // The rest is the cookie session of /api/login: refresh needs the CSRF header and a proof.
    const jar = `__Host-keycard_rt=${rt?.value}; __Host-keycard_csrf=${csrf?.value}`;
    const noCsrf = await postJson(
      `${r.url}/api/refresh`,
      {},
      { cookie: jar, dpop: proof(key, '/api/refresh') },
    );
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('ERR_CSRF');
    const refreshed = await postJson(
      `${r.url}/api/refresh`,
      {},
      { cookie: jar, 'x-csrf-token': csrf?.value ?? '', dpop: proof(key, '/api/refresh') },
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.session_id).toBe(res.body.session_id);

    // A code is used once: the same answer again is refused, and no cookie is set.
    const again = await exchange(
      { code, code_verifier: verifier, redirect_uri: `${r.url}/` },
      { dpop: proof(key) },
    );
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('ERR_INVALID_GRANT');
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it('a second app signs in without a form once the web app did, and the other way round', async () => {
    const { browser } = await webAppCode();
    const { challenge } = pkce();
    const desk = await browser.authorize(r.url, {
      response_type: 'code',
      client_id: 'desk',
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(desk.location?.startsWith(`${REDIRECT}?code=`)).toBe(true);
    // The web app itself, for a browser already signed in at the desk: straight back with a code.
    const again = await webAppCode({ state: 'st-sso' }, browser);
    expect(again.answer.searchParams.get('state')).toBe('st-sso');
    expect(again.answer.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses another client's code without using it up, and a wrong verifier or redirect URI", async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const start = await browser.authorize(r.url, {
      response_type: 'code',
      client_id: 'desk',
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const login = await browser.call(r.url, 'login', {
      interaction: interactionOf(start.location),
      username: 'alice',
      password: PASSWORD,
    });
    const deskCode = new URL(login.body.redirect).searchParams.get('code') as string;
    const refused = await exchange(
      { code: deskCode, code_verifier: verifier, redirect_uri: REDIRECT },
      { dpop: proof(key) },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('ERR_INVALID_GRANT');
    expect(refused.headers.getSetCookie()).toEqual([]);

    const own = await webAppCode({}, browser);
    const code = own.answer.searchParams.get('code') as string;
    for (const [what, body] of [
      ['wrong verifier', { code, code_verifier: pkce().verifier, redirect_uri: `${r.url}/` }],
      ['another redirect URI', { code, code_verifier: own.verifier, redirect_uri: `${r.url}/#/` }],
    ] as const) {
      const res = await exchange(body, { dpop: proof(key) });
      expect(res.status, what).toBe(400);
      expect(res.body.error.code, what).toBe('ERR_INVALID_GRANT');
    }
  });

  it('needs a DPoP proof (the code stays usable), and one of the key the code names', async () => {
    const { answer, verifier } = await webAppCode();
    const body = {
      code: answer.searchParams.get('code'),
      code_verifier: verifier,
      redirect_uri: `${r.url}/`,
    };
    const bare = await exchange(body);
    expect(bare.status).toBe(400);
    expect(bare.body.error.code).toBe('ERR_INVALID_DPOP_PROOF');
    const stored = await r.server.services.storage.authorizationCodes.get(sha256Hex(body.code as string));
    expect(stored?.consumedAt).toBeNull();
    // A proof for another endpoint is no proof here.
    const elsewhere = await exchange(body, { dpop: proof(key, '/api/login') });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.code).toBe('ERR_INVALID_DPOP_PROOF');
    expect(
      (await r.server.services.storage.authorizationCodes.get(sha256Hex(body.code as string)))?.consumedAt,
    ).toBeNull();
    const wrongKey = await exchange(body, { dpop: proof(other) });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.error.code).toBe('ERR_INVALID_GRANT');

    const unbound = await webAppCode({ dpop_jkt: calculateThumbprint(other.publicKey.toJWK()) });
    const res = await exchange(
      {
        code: unbound.answer.searchParams.get('code'),
        code_verifier: unbound.verifier,
        redirect_uri: `${r.url}/`,
      },
      { dpop: proof(other) },
    );
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('DPoP');
  });

  it('answers bad input with ERR_VALIDATION, never a 500', async () => {
    for (const body of [
      {},
      { code: 'x', redirect_uri: `${r.url}/` },
      { code: 'x', code_verifier: 'short', redirect_uri: `${r.url}/` },
      { code: 'x'.repeat(5000), code_verifier: 'a'.repeat(43), redirect_uri: `${r.url}/` },
      { code: 1, code_verifier: 'a'.repeat(43), redirect_uri: `${r.url}/` },
      'not json',
    ]) {
      const res = await exchange(body, { dpop: proof(key) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code, JSON.stringify(body)).toBe('ERR_VALIDATION');
    }
  });
});

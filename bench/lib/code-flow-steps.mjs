// One signed-in browser's steps for bench/code-flow.mjs, against keycard or oidc-provider alike. A
// subject is { id, clientId, auth (Basic header), authorizeUrl, tokenUrl, extra (more authorization
// request parameters), scope, redirectUri, agent }; a worker is { jar (its cookies), rt }.
import { randomBytes } from 'node:crypto';
import { cookieHeader, decodeJwt, keepCookies, pkcePair } from './oauth-client.mjs';
import { request } from './workers.mjs';

const FORM = 'application/x-www-form-urlencoded';

/** Checks a token response of the code flow or of a refresh; returns the ID token's header and claims. */
export function checkTokens(label, body, { clientId, nonce, idToken = true }) {
  const [h] = decodeJwt(body.access_token);
  if (h.alg !== 'ES256' || !/at\+jwt$/.test(h.typ))
    throw new Error(`${label}: access token ${JSON.stringify(h)}`);
  if (typeof body.refresh_token !== 'string') throw new Error(`${label}: no refresh token`);
  if (!idToken) return undefined;
  if (typeof body.id_token !== 'string') throw new Error(`${label}: no ID token`);
  const [ih, claims] = decodeJwt(body.id_token);
  if (claims.aud !== clientId && !claims.aud?.includes?.(clientId)) throw new Error(`${label}: ID token aud`);
  if (nonce !== undefined && claims.nonce !== nonce) throw new Error(`${label}: ID token nonce`);
  return { alg: ih.alg, claims };
}

/** One worker's flow: authorization request with the browser's cookies, then the code exchange. */
export function flowStep(s) {
  return async (w) => {
    const { verifier, challenge } = pkcePair();
    const nonce = randomBytes(16).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: s.clientId,
      redirect_uri: s.redirectUri,
      scope: s.scope,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...s.extra,
    });
    const a = await request(s.agent, `${s.authorizeUrl}?${query}`, {
      headers: { cookie: cookieHeader(w.jar), accept: 'text/html' },
    });
    keepCookies(w.jar, a.headers['set-cookie']);
    const to = a.headers.location ? new URL(a.headers.location, s.authorizeUrl) : undefined;
    if (a.status < 300 || a.status > 303 || `${to?.origin}${to?.pathname}` !== s.redirectUri)
      throw new Error(`${s.id} authorize: ${a.status} ${a.headers.location ?? a.body.slice(0, 200)}`);
    const code = to.searchParams.get('code');
    if (!code || to.searchParams.get('state') !== state) throw new Error(`${s.id} authorize: ${to}`);
    const t = await request(s.agent, s.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': FORM, authorization: s.auth },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: s.redirectUri,
        code_verifier: verifier,
      }).toString(),
    });
    if (t.status !== 200) throw new Error(`${s.id} code exchange: ${t.status} ${t.body.slice(0, 200)}`);
    const body = JSON.parse(t.body);
    const idToken = checkTokens(`${s.id} code exchange`, body, { clientId: s.clientId, nonce });
    s.idToken ??= idToken;
    w.rt = body.refresh_token;
    return true;
  };
}

/** One worker's refresh: rotates its chain; an ID token must come back as it did on the first one. */
export function refreshStep(s) {
  return async (w) => {
    const res = await request(s.agent, s.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': FORM, authorization: s.auth },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: w.rt }).toString(),
    });
    if (res.status !== 200) throw new Error(`${s.id} refresh: ${res.status} ${res.body.slice(0, 200)}`);
    const body = JSON.parse(res.body);
    if (body.refresh_token === w.rt) throw new Error(`${s.id} refresh: not rotated`);
    s.idTokenOnRefresh ??= typeof body.id_token === 'string';
    checkTokens(`${s.id} refresh`, body, { clientId: s.clientId, idToken: s.idTokenOnRefresh });
    w.rt = body.refresh_token;
    return true;
  };
}

/**
 * A keycard browser signed in through the real pages API: the authorization request sends it to
 * the sign-in page (`/#/authorize?i=…`), the page's login call sets the browser-session cookie
 * and answers the redirect with a first code (left unused).
 */
export async function keycardBrowser(s, kc, username) {
  const jar = new Map();
  const w = { jar };
  const { challenge } = pkcePair();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: s.clientId,
    redirect_uri: s.redirectUri,
    scope: s.scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const a = await request(s.agent, `${s.authorizeUrl}?${query}`, { headers: { accept: 'text/html' } });
  const interaction = /\/#\/authorize\?i=([A-Za-z0-9._-]+)$/.exec(a.headers.location ?? '')?.[1];
  if (a.status !== 303 || !interaction) throw new Error(`keycard authorize (no cookie): ${a.status}`);
  const login = await request(s.agent, `${kc.url}/api/authorize/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ interaction, username, password: kc.password }),
  });
  keepCookies(jar, login.headers['set-cookie']);
  if (login.status !== 200 || !jar.has('__Host-keycard_sso') || !JSON.parse(login.body).redirect)
    throw new Error(`keycard sign-in page login: ${login.status} ${login.body.slice(0, 200)}`);
  // The cookie now signs this browser in: a full flow with it proves it (and gives a refresh token).
  await flowStep(s)(w);
  return w;
}

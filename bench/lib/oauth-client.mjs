// Minimal OAuth client helpers for the server benches (loopback only).
import { createHash, randomBytes } from 'node:crypto';

/** Basic client authentication header (RFC 6749 §2.3.1: form-encode id and secret first). */
export function basicAuth(clientId, clientSecret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A JWT's header and payload, decoded without any check (the benches check claims they expect). */
export function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return [JSON.parse(Buffer.from(h, 'base64url')), JSON.parse(Buffer.from(p, 'base64url'))];
}

/**
 * Keeps the cookies of `Set-Cookie` lines (an array, or undefined) in `jar` (a Map name → value),
 * whatever their attributes: the benches speak plain HTTP on loopback and send `Secure` cookies
 * back themselves, as a browser would over HTTPS. An emptied cookie is dropped.
 */
export function keepCookies(jar, setCookie) {
  for (const line of setCookie ?? []) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1);
    if (value === '' || /max-age=0\b|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return jar;
}

/** The `Cookie` request header for a jar. */
export function cookieHeader(jar) {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** POSTs a form to a token endpoint and returns the parsed JSON, throwing on a non-2xx answer. */
export async function tokenRequest(url, params, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * Runs the authorization-code flow against the bench oidc-provider (whose interaction routes
 * finish login and consent by themselves) and returns the token response and the browser's
 * cookies (its oidc-provider session, with the consent remembered in its grant). `scope` defaults
 * to `offline_access api:read`; with `pkce` the request carries an S256 challenge.
 */
export async function oidcProviderSignIn(
  issuer,
  { clientId, clientSecret, redirectUri, resource },
  { scope = 'offline_access api:read', pkce = false } = {},
) {
  const jar = new Map();
  const pair = pkce ? pkcePair() : undefined;
  const auth = new URL('/auth', issuer);
  auth.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    prompt: 'consent',
    resource,
    state: 'bench',
    ...(scope.split(' ').includes('openid') ? { nonce: 'bench' } : {}),
    ...(pair ? { code_challenge: pair.challenge, code_challenge_method: 'S256' } : {}),
  }).toString();
  let url = auth.toString();
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(redirectUri)) {
      const code = new URL(url).searchParams.get('code');
      if (!code) throw new Error(`no code in redirect: ${url}`);
      const tokens = await tokenRequest(
        new URL('/token', issuer).toString(),
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          ...(pair ? { code_verifier: pair.verifier } : {}),
        },
        { authorization: basicAuth(clientId, clientSecret) },
      );
      return { tokens, cookies: jar };
    }
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
    if (process.env.DEBUG_FLOW) console.error(res.status, url, res.headers.getSetCookie());
    keepCookies(jar, res.headers.getSetCookie());
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (!location) throw new Error(`authorization flow stopped at ${url} with ${res.status}`);
    url = new URL(location, url).toString();
  }
  throw new Error('authorization flow: too many redirects');
}

/** {@link oidcProviderSignIn}'s token response only (with a refresh token: `offline_access`). */
export async function oidcProviderRefreshToken(issuer, client) {
  return (await oidcProviderSignIn(issuer, client)).tokens;
}

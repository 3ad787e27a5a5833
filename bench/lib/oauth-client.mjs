// Minimal OAuth client helpers for the server benches (loopback only).

/** Basic client authentication header (RFC 6749 §2.3.1: form-encode id and secret first). */
export function basicAuth(clientId, clientSecret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
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
 * finish login and consent by themselves) and returns the token response with a refresh token.
 */
export async function oidcProviderRefreshToken(issuer, { clientId, clientSecret, redirectUri, resource }) {
  const jar = new Map();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const auth = new URL('/auth', issuer);
  auth.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'offline_access api:read',
    prompt: 'consent',
    resource,
    state: 'bench',
  }).toString();
  let url = auth.toString();
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(redirectUri)) {
      const code = new URL(url).searchParams.get('code');
      if (!code) throw new Error(`no code in redirect: ${url}`);
      return tokenRequest(
        new URL('/token', issuer).toString(),
        { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
        { authorization: basicAuth(clientId, clientSecret) },
      );
    }
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
    if (process.env.DEBUG_FLOW) console.error(res.status, url);
    for (const c of res.headers.getSetCookie()) {
      if (process.env.DEBUG_FLOW) console.error('  set-cookie', c.slice(0, 120));
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (!location) throw new Error(`authorization flow stopped at ${url} with ${res.status}`);
    url = new URL(location, url).toString();
  }
  throw new Error('authorization flow: too many redirects');
}

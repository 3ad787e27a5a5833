import { WEB_CLIENT_ID } from '../context.js';
import { ServerError } from '../errors.js';

/**
 * Redirect URIs of the authorization-code flow: what a client may register (RFC 6749 §3.1.2,
 * RFC 8252 for native apps, RFC 9700 §2.1 and §4.1.3) and how a presented one is matched.
 *
 * Registration accepts three kinds, each written in its canonical form (what `new URL(uri).href`
 * gives, so exact matching cannot be fooled by case, dot segments or default ports):
 * - `https://host/path?query` — any host;
 * - `http://127.0.0.1[:port]/path` or `http://[::1][:port]/path` — a native app's loopback listener
 *   (RFC 8252 §7.3). `localhost` is refused (§8.3: it may resolve elsewhere);
 * - `reverse.domain.scheme:/path` — a native app's private-use scheme (RFC 8252 §7.1), whose name
 *   must contain a dot so it names a domain its publisher controls.
 *
 * Never: a fragment, user info, a wildcard, or any other scheme (`javascript:`, `data:`, `file:` …).
 */

/** Longest redirect URI accepted at registration. */
export const MAX_REDIRECT_URI_LENGTH = 2000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);
/** What the authorization response adds to the query: a registered URI may not pre-set them. */
export const RESPONSE_PARAMETERS = [
  'code',
  'state',
  'iss',
  'error',
  'error_description',
  'error_uri',
] as const;
/** RFC 3986 scheme with at least one dot: a reverse domain name such as `com.example.app`. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;

/**
 * Why a redirect URI cannot be registered, or undefined when it can.
 *
 * @example
 * ```ts
 * redirectUriProblem('https://app.example.com/callback'); // undefined
 * redirectUriProblem('http://localhost:3000/cb'); // 'use http://127.0.0.1 or http://[::1] …'
 * ```
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (typeof uri !== 'string' || uri.length === 0) return 'must be a non-empty string';
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`;
  if (uri.includes('#')) return 'must not contain a fragment (#)';
  if (uri.includes('*')) return 'must not contain a wildcard: every redirect URI is registered in full';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain user info';
  if (url.protocol === 'https:') {
    if (url.hostname === '') return 'must name a host';
  } else if (url.protocol === 'http:') {
    if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost'))
      return 'use http://127.0.0.1 or http://[::1] for a loopback redirect, not localhost (RFC 8252 §8.3)';
    if (!LOOPBACK_HOSTS.has(url.host.replace(/:\d+$/, '')))
      return 'http is allowed only for the loopback addresses 127.0.0.1 and [::1]; use https';
  } else if (!PRIVATE_USE_SCHEME.test(url.protocol)) {
    return 'must use https, http on a loopback address, or a private-use scheme with a dot (com.example.app:/callback)';
  } else if (url.host !== '' || uri.startsWith(`${url.protocol}//`)) {
    return 'a private-use scheme URI has a path only (com.example.app:/callback, RFC 8252 §7.1)';
  }
  if (url.href !== uri) return `must be written in canonical form: ${url.href}`;
  if (RESPONSE_PARAMETERS.some((name) => url.searchParams.has(name)))
    return `its query must not carry a response parameter (${RESPONSE_PARAMETERS.join(', ')})`;
  return undefined;
}

/**
 * Checks every redirect URI of a client about to be stored. Throws ERR_VALIDATION naming the field,
 * the URI's position and the rule it breaks. `exempt` is the server's own URI (the built-in web
 * app's `{issuer}/`), taken as it is.
 */
export function checkRedirectUris(field: string, uris: readonly string[], exempt?: string): void {
  uris.forEach((uri, i) => {
    const problem = uri === exempt ? undefined : redirectUriProblem(uri);
    if (problem !== undefined)
      throw new ServerError('ERR_VALIDATION', { message: `${field}[${i}]: ${problem}` });
  });
  if (new Set(uris).size !== uris.length)
    throw new ServerError('ERR_VALIDATION', { message: `${field}: each URI may be listed once` });
}

/**
 * Is `presented` one of the `registered` redirect URIs? Exact string comparison (RFC 9700
 * §4.1.3), with the one exception RFC 8252 §7.3 requires: a loopback redirect may name any port,
 * since a native app listens on whichever port is free.
 *
 * @example
 * ```ts
 * redirectUriMatches(['http://127.0.0.1/cb'], 'http://127.0.0.1:51004/cb'); // true
 * redirectUriMatches(['https://app.example.com/cb'], 'https://app.example.com/cb?x=1'); // false
 * ```
 */
export function redirectUriMatches(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  const loopback = withoutLoopbackPort(presented);
  if (loopback === undefined) return false;
  return registered.some((uri) => withoutLoopbackPort(uri) === loopback);
}

/**
 * Is `presented` a redirect URI of `client`? As {@link redirectUriMatches}, except for the built-in
 * web app (`keycard-web`), matched exactly even on loopback: its one URI is the server's own
 * origin, and a first-party client is sent a code without a question, so no other port (another
 * program on the machine) may stand in for it.
 *
 * @example
 * ```ts
 * clientRedirectUriMatches({ id: 'keycard-web', redirectUris: ['http://127.0.0.1:4000/'] }, 'http://127.0.0.1:4001/'); // false
 * ```
 */
export function clientRedirectUriMatches(
  client: { id: string; redirectUris: readonly string[] },
  presented: string,
): boolean {
  return client.id === WEB_CLIENT_ID
    ? client.redirectUris.includes(presented)
    : redirectUriMatches(client.redirectUris, presented);
}

/** A canonical loopback http URI with its port removed, or undefined for any other URI. */
function withoutLoopbackPort(uri: string): string | undefined {
  if (!uri.startsWith('http://')) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.href !== uri || url.username !== '' || url.password !== '' || url.hash !== '') return undefined;
  if (!LOOPBACK_HOSTS.has(url.hostname === '::1' ? '[::1]' : url.hostname)) return undefined;
  url.port = '';
  return url.href;
}

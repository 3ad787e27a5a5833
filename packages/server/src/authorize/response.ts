/**
 * The authorization response (RFC 6749 §4.1.2 and §4.1.2.1) as a redirect: the parameters added to
 * the client's registered redirect URI, keeping its own query as registered (§3.1.2), always with `iss` (RFC 9207,
 * so a client talking to several servers can tell which one answered: mix-up defence) and `state`
 * when the request had one.
 */

/** What goes back to the client: a code, or an error. */
export type AuthorizationAnswer = { code: string } | { error: string; error_description?: string };

/**
 * The URL to redirect the browser to.
 *
 * @example
 * ```ts
 * authorizationResponseUrl('https://app.example.com/cb?tenant=a', { code }, 'xyz', 'https://auth.example.com');
 * // https://app.example.com/cb?tenant=a&code=…&state=xyz&iss=https%3A%2F%2Fauth.example.com
 * ```
 */
export function authorizationResponseUrl(
  redirectUri: string,
  answer: AuthorizationAnswer,
  state: string | undefined,
  issuer: string,
): string {
  // The registered URI is kept byte for byte (its query cannot hold these names: redirect-uri.ts).
  const added = new URLSearchParams();
  for (const [name, value] of Object.entries(answer)) if (value !== undefined) added.append(name, value);
  if (state !== undefined) added.append('state', state);
  added.append('iss', issuer);
  const separator = !redirectUri.includes('?') ? '?' : redirectUri.endsWith('?') ? '' : '&';
  return `${redirectUri}${separator}${added}`;
}

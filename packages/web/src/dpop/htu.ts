/**
 * The `htu` of a DPoP proof (RFC 9449 §4.2/§4.3): the target URI without query and fragment,
 * scheme and host lower-cased and the default port dropped (the URL parser does those).
 */

/**
 * Normalises a request URL for the proof; a path is resolved against `base`.
 *
 * @example
 * normalizeHtu('/api/me?x=1', 'HTTP://Example.COM:80'); // 'http://example.com/api/me'
 */
export function normalizeHtu(url: string, base?: string): string {
  const parsed = new URL(url, base);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

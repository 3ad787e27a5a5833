/**
 * RFC 9449 §4.3 (check 9) compares `htu` with the request URI after RFC 3986 §6.2.2 syntax-based and
 * §6.2.3 scheme-based normalisation, ignoring query and fragment. WHATWG URL parsing already lower-cases
 * scheme and host, drops the default port, removes dot segments and gives an empty path as `/`; what it
 * leaves is percent-encoding, done here: unreserved characters decoded, other triplets upper-cased.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function normalizePercent(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%[0-9A-Fa-f]{2}/g, (triplet) => {
    const char = String.fromCharCode(Number.parseInt(triplet.slice(1), 16));
    return UNRESERVED.test(char) ? char : triplet.toUpperCase();
  });
}

/**
 * The normalised form of an HTTP(S) target URI for DPoP `htu` comparison: lower-case scheme and host,
 * no default port, no query or fragment, percent-encoding normalised. Throws a TypeError for anything
 * that is not an absolute `http:`/`https:` URL, or that carries user information.
 *
 * @example
 * ```ts
 * normalizeHtu('HTTPS://Server.Example.COM:443/token?x=1#f'); // 'https://server.example.com/token'
 * ```
 */
export function normalizeHtu(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('htu must be an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError('htu must be an http or https URL');
  }
  if (parsed.username !== '' || parsed.password !== '')
    throw new TypeError('htu must not carry user information');
  return `${parsed.protocol}//${parsed.host}${normalizePercent(parsed.pathname)}`;
}

/**
 * CORS for a door the browser calls directly: the front desk page (another origin) sends
 * `Authorization: DPoP …` and a `DPoP` proof header, which need a preflight. Only the listed origins get an answer;
 * no cookies are involved (the card is the header), so credentials stay off.
 */
const ALLOW = {
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Authorization, DPoP',
  // Lets the page read why a card was refused (RFC 6750 / RFC 9449 error attribute) and a DPoP nonce.
  'access-control-expose-headers': 'WWW-Authenticate, DPoP-Nonce',
  'access-control-max-age': '600',
};

/**
 * The CORS headers for a request from `origin`, or an empty object when the origin is not allowed.
 *
 * @example
 * ```ts
 * res.set(corsHeaders(req.headers.origin, ['http://127.0.0.1:4000']));
 * ```
 */
export function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (origin === undefined || !allowed.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin', ...ALLOW };
}

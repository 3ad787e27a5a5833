import { isWellFormedToken, parseAuthorization } from '@keycard/protocol';
import { GuardError } from '../errors.js';
import type { HeaderSource } from '../types.js';

export { isWellFormedToken };

/** Shared instances: a missing token is the common unauthenticated case and needs no stack trace each time. */
export const TOKEN_MISSING = new GuardError('ERR_GUARD_TOKEN_MISSING');

/** One request header from node's headers, a plain record or a fetch `Headers` (lower-case name). */
export function headerOf(headers: HeaderSource, name: string): string | string[] | undefined | null {
  return typeof (headers as Headers).get === 'function'
    ? (headers as Headers).get(name)
    : (headers as Record<string, string | string[] | undefined>)[name];
}

/** The card of a request and the scheme it came with (`DPoP` only when the guard accepts DPoP). */
export interface PresentedToken {
  scheme: 'Bearer' | 'DPoP';
  token: string;
}

/**
 * The access token of a request: from `Authorization: Bearer <token>` or, when `dpop` is on,
 * `Authorization: DPoP <token>` (parsed by `parseAuthorization` of @keycard/protocol: schemes
 * case-insensitive, exactly one space; the token68 syntax is checked by the caller before an
 * uncached token is verified), else from the named cookie. Another scheme
 * (and `DPoP` when the guard does not accept it) counts as "no token" (RFC 6750 §3.1); a malformed
 * Bearer/DPoP header or a repeated header is `invalid_request`. A cookie value is checked with
 * `isWellFormedToken` by the caller before an uncached token is verified.
 */
export function extractToken(
  authorization: string | string[] | undefined | null,
  headers: HeaderSource,
  cookieName: string | undefined,
  cookieValue: string | undefined,
  dpop = false,
): PresentedToken | GuardError {
  // The token's syntax is checked only on a cache miss (create-guard.ts), not on the warm path.
  const parsed = parseAuthorization(authorization, { tokenSyntax: false });
  if ('token' in parsed) {
    // The parser's own object is returned: one allocation per request on the warm path.
    if (parsed.scheme === 'Bearer' || dpop) return parsed;
  } else if (parsed.error === 'multiple') {
    return new GuardError('ERR_GUARD_REQUEST_INVALID', { reason: 'several Authorization headers' });
  } else if (parsed.error === 'malformed' && parsed.scheme === 'Bearer') {
    return new GuardError('ERR_GUARD_REQUEST_INVALID', { reason: 'malformed bearer token' });
  } else if (parsed.error === 'malformed' && dpop) {
    return new GuardError('ERR_GUARD_REQUEST_INVALID', { reason: 'malformed DPoP authorization' });
  }
  if (cookieName === undefined) return TOKEN_MISSING;
  const fromCookie = cookieValue ?? readCookie(headerOf(headers, 'cookie'), cookieName);
  if (fromCookie === undefined || fromCookie === '') return TOKEN_MISSING;
  return { scheme: 'Bearer', token: fromCookie };
}

/** The value of cookie `name` in a Cookie header (RFC 6265 §5.4), without a full parse. */
export function readCookie(
  cookieHeader: string | string[] | undefined | null,
  name: string,
): string | undefined {
  if (cookieHeader === undefined || cookieHeader === null) return undefined;
  const text = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : cookieHeader;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

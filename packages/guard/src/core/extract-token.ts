import { GuardError } from '../errors.js';
import type { HeaderSource } from '../types.js';

// RFC 6750 §2.1 b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Shared instances: a missing token is the common unauthenticated case and needs no stack trace each time. */
export const TOKEN_MISSING = new GuardError('ERR_GUARD_TOKEN_MISSING');

/** One request header from node's headers, a plain record or a fetch `Headers` (lower-case name). */
export function headerOf(headers: HeaderSource, name: string): string | string[] | undefined | null {
  return typeof (headers as Headers).get === 'function'
    ? (headers as Headers).get(name)
    : (headers as Record<string, string | string[] | undefined>)[name];
}

/**
 * The access token of a request: from `Authorization: Bearer <token>` or, when `dpop` is on,
 * `Authorization: DPoP <token>` (schemes case-insensitive, exactly one space), else from the named
 * cookie. Another scheme counts as "no token" (RFC 6750 §3.1); a malformed Bearer/DPoP header is
 * `invalid_request`. `authorization` is the header value (read once by the caller, who also asks
 * `isDpopScheme` of it). The caller checks the b64token syntax with `isWellFormedToken` before verifying
 * an uncached token.
 */
export function extractToken(
  authorization: string | string[] | undefined | null,
  headers: HeaderSource,
  cookieName: string | undefined,
  cookieValue: string | undefined,
  dpop = false,
): string | GuardError {
  const value = authorization;
  if (typeof value === 'string' && value.length > 6) {
    // Fast path: compare the scheme without allocating a lower-cased copy.
    // The b64token syntax is checked by the caller on a cache miss only (isWellFormedToken): a cached
    // token passed that check when it was first verified.
    if (value.charCodeAt(6) === 32 && isBearerScheme(value)) return value.slice(7);
    if (dpop && isDpopScheme(value)) return value.slice(5);
  }
  if (value !== undefined && value !== null) {
    if (typeof value !== 'string')
      return new GuardError('ERR_GUARD_REQUEST_INVALID', { reason: 'several Authorization headers' });
    if (/^bearer(\s|$)/i.test(value))
      return new GuardError('ERR_GUARD_REQUEST_INVALID', { reason: 'malformed bearer token' });
    if (dpop && /^dpop(\s|$)/i.test(value))
      return new GuardError('ERR_GUARD_REQUEST_INVALID', { reason: 'malformed DPoP authorization' });
  }
  if (cookieName === undefined) return TOKEN_MISSING;
  const fromCookie = cookieValue ?? readCookie(headerOf(headers, 'cookie'), cookieName);
  if (fromCookie === undefined || fromCookie === '') return TOKEN_MISSING;
  return fromCookie;
}

const DPOP = 'dpop';

/** `Authorization: DPoP <token>` (RFC 9449 §7.1), scheme case-insensitive, exactly one space. */
export function isDpopScheme(value: string | string[] | undefined | null): boolean {
  if (typeof value !== 'string' || value.length < 6 || value.charCodeAt(4) !== 32) return false;
  for (let i = 0; i < 4; i++) {
    if ((value.charCodeAt(i) | 0x20) !== DPOP.charCodeAt(i)) return false;
  }
  return true;
}

const BEARER = 'bearer';

/** RFC 6750 b64token syntax; anything else is `invalid_request`. */
export function isWellFormedToken(token: string): boolean {
  return B64TOKEN.test(token);
}

function isBearerScheme(value: string): boolean {
  for (let i = 0; i < 6; i++) {
    // ASCII letters only: OR-ing 0x20 lower-cases them.
    if ((value.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return false;
  }
  return true;
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

import { type AuthorizationScheme, BEARER_SCHEME, DPOP_SCHEME } from './constants.js';

/** Why an `Authorization` header holds no usable card. */
export type AuthorizationError =
  /** No header at all. */
  | 'missing'
  /** The header was sent more than once. */
  | 'multiple'
  /** Another scheme (e.g. `Basic`): not a card, so "no token" to a resource server (RFC 6750 §3.1). */
  | 'unsupported_scheme'
  /** `Bearer`/`DPoP` without exactly one space and a token68 value: `invalid_request`. */
  | 'malformed';

/** What {@link parseAuthorization} makes of a header. */
export type ParsedAuthorization =
  | { scheme: AuthorizationScheme; token: string }
  | { error: AuthorizationError; scheme?: AuthorizationScheme };

// RFC 6750 §2.1 b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// (the same as RFC 7235 token68; RFC 9449 §7.1 reuses it for DPoP).
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER = 'bearer';
const DPOP = 'dpop';

/**
 * Whether `token` has the RFC 6750 b64token (token68) syntax.
 *
 * @example
 * ```ts
 * isWellFormedToken('eyJhbGciOi.eyJzdWIi.c2ln'); // true
 * isWellFormedToken('a b'); // false
 * ```
 */
export function isWellFormedToken(token: string): boolean {
  return TOKEN68.test(token);
}

/** Options of {@link parseAuthorization}. */
export interface ParseAuthorizationOptions {
  /**
   * Check the token68 syntax of the token (default true). A verifier that keeps a cache of tokens it
   * has verified may pass `false` and check {@link isWellFormedToken} only before it verifies a token
   * it has not seen: a cache hit is well formed already, and the check is the costliest part of a
   * parse. The scheme and the single space are checked either way, and the token is never empty.
   */
  tokenSyntax?: boolean;
}

/**
 * Parses an `Authorization` header value into the card it carries: `Bearer <token>` (RFC 6750
 * §2.1) or `DPoP <token>` (RFC 9449 §7.1). The scheme is case-insensitive; exactly one space
 * separates it from a token68 value. Header values as node (`string | string[] | undefined`) or
 * fetch (`string | null`) give them are accepted; an array means the header was sent twice.
 *
 * @example
 * ```ts
 * const parsed = parseAuthorization(request.headers.authorization);
 * if ('error' in parsed) return parsed.error === 'malformed' ? badRequest() : unauthenticated();
 * verify(parsed.token, parsed.scheme);
 * ```
 */
export function parseAuthorization(
  header: string | readonly string[] | undefined | null,
  options: ParseAuthorizationOptions = {},
): ParsedAuthorization {
  if (header === undefined || header === null) return { error: 'missing' };
  if (typeof header !== 'string') return { error: header.length === 0 ? 'missing' : 'multiple' };
  const scheme = schemeOf(header);
  if (scheme === undefined) return { error: 'unsupported_scheme' };
  const start = scheme === BEARER_SCHEME ? 7 : 5;
  if (header.charCodeAt(start - 1) !== 32) return { error: 'malformed', scheme };
  const token = header.slice(start);
  if (options.tokenSyntax === false ? token.length === 0 : !TOKEN68.test(token))
    return { error: 'malformed', scheme };
  return { scheme, token };
}

/** `Bearer` or `DPoP` when the header starts with that scheme name followed by whitespace or its end. */
function schemeOf(header: string): AuthorizationScheme | undefined {
  if (startsWithWord(header, BEARER)) return BEARER_SCHEME;
  if (startsWithWord(header, DPOP)) return DPOP_SCHEME;
  return undefined;
}

function startsWithWord(value: string, lowerName: string): boolean {
  if (value.length < lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i++) {
    // ASCII letters only: OR-ing 0x20 lower-cases them (and maps no other byte onto a letter).
    if ((value.charCodeAt(i) | 0x20) !== lowerName.charCodeAt(i)) return false;
  }
  const next = value.charCodeAt(lowerName.length);
  // End of value, or any whitespace: the scheme is ours, however badly the rest is formed.
  return (
    Number.isNaN(next) ||
    next === 32 ||
    next === 9 ||
    next === 10 ||
    next === 13 ||
    next === 11 ||
    next === 12
  );
}

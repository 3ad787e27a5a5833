import type { AuthContext } from '../types.js';

/** Headers the gateway sets for the upstream; any inbound header starting with `x-keycard-` is removed. */
export const IDENTITY_PREFIX = 'x-keycard-';

/**
 * Client-address and -protocol fields the gateway writes itself. Inbound copies are dropped unless the
 * gateway sits behind a trusted proxy (`trustProxy`), which is then the one that set them.
 */
export const FORWARDING = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'forwarded',
  'x-real-ip',
]);

/** RFC 9110 §7.6.1 hop-by-hop fields, never forwarded in either direction. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Makes a claim value safe for a header: printable ASCII stays as is; `%`, control characters and
 * non-ASCII are percent-encoded (UTF-8), so `decodeURIComponent` always restores the value and no claim
 * can inject CR/LF. `extra` lists further characters to encode (e.g. ',' inside list items).
 * @example
 * headerValue('a\r\nb') // 'a%0D%0Ab'
 */
export function headerValue(value: string, extra = ''): string {
  const unsafe = extra === ',' ? /[^\x20-\x24\x26-\x2b\x2d-\x7e]/gu : /[^\x20-\x24\x26-\x7e]/gu;
  return value.replace(unsafe, (ch) => {
    try {
      return encodeURIComponent(ch);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD
    }
  });
}

/**
 * The identity the upstream receives: X-Keycard-Sub, -Scope (space-separated), -Roles (comma-separated),
 * -Session, -Client, -Subject-Type (`user` or `client`: a client card's `sub` may look like a user id,
 * so ownership checks must look at this first) and -Actor (the token-exchange chain, current actor
 * first, comma-separated). All seven are always present (empty when the token has no such claim), so
 * a copy the client sent can never stand in for a missing one.
 * @example
 * identityHeaders(auth) // { 'x-keycard-sub': 'u1', 'x-keycard-scope': 'rooms:read', ... }
 */
export function identityHeaders(auth: AuthContext): Record<string, string> {
  return {
    'x-keycard-sub': headerValue(auth.sub),
    'x-keycard-scope': headerValue([...auth.scopes].join(' ')),
    'x-keycard-roles': auth.roles.map((r) => headerValue(r, ',')).join(','),
    'x-keycard-session': auth.sid === undefined ? '' : headerValue(auth.sid),
    'x-keycard-client': auth.clientId === undefined ? '' : headerValue(auth.clientId),
    'x-keycard-subject-type': auth.subjectType,
    'x-keycard-actor':
      auth.actor === undefined ? '' : auth.actor.chain.map((a) => headerValue(a, ',')).join(','),
  };
}

const PLAIN_NAME = /^[a-z0-9-]+$/u;

/**
 * Request headers for the upstream from node's `rawHeaders`: hop-by-hop fields (and those named in
 * `Connection`), `Host`, every name with a character other than a letter, digit or `-` (CGI/WSGI/PHP/Rack
 * backends read `X_Keycard_Sub` and `X-Keycard-Sub` as the same `HTTP_X_KEYCARD_SUB`), inbound
 * `X-Keycard-*` and, unless `trustProxy`, the forwarding fields are dropped; the rest keep their order
 * and repeats.
 */
export function forwardableHeaders(
  rawHeaders: readonly string[],
  connection: string | undefined,
  trustProxy = false,
): [string, string][] {
  const named = new Set(
    (connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== ''),
  );
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || lower === 'host') continue;
    // Only letters, digits and '-', as nginx forwards by default: no alias of ours can reach a CGI-style backend.
    if (!PLAIN_NAME.test(lower) || lower.startsWith(IDENTITY_PREFIX)) continue;
    if (!trustProxy && FORWARDING.has(lower)) continue;
    out.push([name, rawHeaders[i + 1]!]);
  }
  return out;
}

/** Response headers from the upstream minus hop-by-hop fields. */
export function responseHeaders(rawHeaders: readonly string[]): [string, string][] {
  const connection = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') {
      for (const s of rawHeaders[i + 1]!.split(',')) connection.add(s.trim().toLowerCase());
    }
  }
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connection.has(lower)) continue;
    out.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  }
  return out;
}

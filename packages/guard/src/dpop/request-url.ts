import { headerOf } from '../core/extract-token.js';
import type { RequestLike } from '../types.js';

const ABSOLUTE = /^https?:\/\//i;
const SCHEME = /^https?$/i;
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:[/?#]|$)/i;

// RFC 3986 §3.2.2–3.2.3: a reg-name or an IP literal, then an optional port; no path, query, userinfo.
const AUTHORITY = /^(?:[A-Za-z0-9._~%!$&'()*+;=-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;

/**
 * The value when it is an authority (host and optional port) and nothing more. A `Host` of
 * `rooms.test/rooms` would otherwise move the path the proof is checked against.
 */
export function authorityOf(value: string | undefined): string | undefined {
  return value !== undefined && AUTHORITY.test(value) ? value : undefined;
}

function first(value: string | string[] | null | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string') return undefined;
  const comma = text.indexOf(',');
  const item = (comma === -1 ? text : text.slice(0, comma)).trim();
  return item === '' ? undefined : item;
}

/**
 * The URL a client addressed, for the DPoP `htu` check (RFC 9449 §4.3 check 9), decided in this order:
 * 1. `publicUrl` (origin and path prefix) + the request's path;
 * 2. with `trustProxy`, `X-Forwarded-Proto` / `X-Forwarded-Host` (first values) + the path;
 * 3. the request's own URL when it is absolute (fetch `Request`, the gateway's forward-auth view);
 * 4. `http(s)://` + `Host` + the path (`https` on a TLS socket).
 * Undefined too for a target with a dot-segment (raw or `%2e`), a host that is not `host[:port]`, or a
 * forwarded scheme other than http(s).
 * Undefined when the request gives no target (then no proof can match).
 *
 * @example
 * requestUrl({ headers: { host: 'rooms.test' }, url: '/rooms/1?x' }, undefined, false) // 'http://rooms.test/rooms/1?x'
 */
export function requestUrl(
  request: RequestLike,
  publicUrl: string | undefined,
  trustProxy: boolean,
): string | undefined {
  const target = request.url;
  if (typeof target !== 'string' || target === '') return undefined;
  // URL parsing removes dot-segments, so `/../admin` would be checked as `/admin` (outside a publicUrl
  // prefix, or another route than the one served). Clients never send them: no URL, no proof matches.
  const query = target.indexOf('?');
  if (DOT_SEGMENT.test(query === -1 ? target : target.slice(0, query))) return undefined;
  let path = target;
  let origin: string | undefined;
  if (ABSOLUTE.test(target)) {
    let parsed: URL;
    try {
      parsed = new URL(target);
    } catch {
      return undefined;
    }
    origin = parsed.origin;
    path = parsed.pathname + parsed.search;
  } else if (!target.startsWith('/')) return undefined;
  if (publicUrl !== undefined) return publicUrl + path;
  const headers = request.headers;
  if (trustProxy) {
    const proto = first(headerOf(headers, 'x-forwarded-proto'));
    const host = first(headerOf(headers, 'x-forwarded-host'));
    if (proto !== undefined || host !== undefined) {
      const fallback = origin === undefined ? undefined : new URL(origin);
      const scheme = proto ?? fallback?.protocol.slice(0, -1) ?? (isTls(request) ? 'https' : 'http');
      const authority = authorityOf(host ?? fallback?.host ?? first(headerOf(headers, 'host')));
      // A scheme only: `http://other/path?` here would choose the host and path the proof is checked against.
      if (authority === undefined || !SCHEME.test(scheme)) return undefined;
      return `${scheme.toLowerCase()}://${authority}${path}`;
    }
  }
  if (origin !== undefined) return origin + path;
  const host = authorityOf(first(headerOf(headers, 'host')));
  if (host === undefined) return undefined;
  return `${isTls(request) ? 'https' : 'http'}://${host}${path}`;
}

function isTls(request: RequestLike): boolean {
  const socket = request.socket as { encrypted?: unknown } | null | undefined;
  return socket?.encrypted === true;
}

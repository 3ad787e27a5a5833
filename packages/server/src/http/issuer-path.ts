import type { IncomingMessage } from 'node:http';

/** Where requests outside the issuer's path go: no route matches it, so they answer 404. */
const OUTSIDE = '/.keycard-outside-issuer-path';
const RFC8414_WELL_KNOWN = '/.well-known/oauth-authorization-server';

/**
 * The path of an issuer URL without its trailing slash (`''` for an issuer at the origin's root).
 *
 * @example
 * ```ts
 * issuerPath('https://example.com/kc'); // '/kc'
 * ```
 */
export function issuerPath(issuer: string | undefined): string {
  if (issuer === undefined) return '';
  const path = new URL(issuer).pathname;
  return path === '/' ? '' : path.replace(/\/+$/, '');
}

/**
 * For an issuer with a path (`https://host/kc`), maps request URLs onto the app's routes, so the
 * server itself serves everything under the path without a prefix-stripping proxy:
 * `/kc/oauth/token` → `/oauth/token`, `/kc/.well-known/openid-configuration` (OpenID Connect
 * Discovery) → `/.well-known/openid-configuration`, and RFC 8414 §3's path-inserted
 * `/.well-known/oauth-authorization-server/kc` → `/.well-known/oauth-authorization-server`.
 * Anything else answers 404. Undefined for an issuer at the root (nothing to map).
 *
 * @example
 * ```ts
 * Fastify({ rewriteUrl: issuerPathRewriter('https://host/kc') });
 * ```
 */
export function issuerPathRewriter(
  issuer: string | undefined,
): ((request: IncomingMessage) => string) | undefined {
  const prefix = issuerPath(issuer);
  if (prefix === '') return undefined;
  return (request) => {
    const url = request.url ?? '/';
    const cut = url.search(/[?#]/);
    const path = cut === -1 ? url : url.slice(0, cut);
    const rest = cut === -1 ? '' : url.slice(cut);
    if (path === `${RFC8414_WELL_KNOWN}${prefix}`) return `${RFC8414_WELL_KNOWN}${rest}`;
    if (path === prefix) return `/${rest}`;
    if (path.startsWith(`${prefix}/`)) return `${path.slice(prefix.length)}${rest}`;
    return `${OUTSIDE}${path}`;
  };
}

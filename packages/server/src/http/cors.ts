import type { FastifyInstance } from 'fastify';
import type { KeycardConfig } from '../config/index.js';

const PUBLIC_PREFIXES = ['/.well-known/', '/revocations'];
/** Browser navigations and the sign-in pages' own API: same origin only, whatever `cors.origins` says. */
const NEVER_PREFIXES = ['/oauth/authorize', '/api/authorize/'];

/**
 * CORS: discovery, JWKS and the revocation feed are public (any origin, no credentials);
 * `/api/*` and `/oauth/*` only for `cors.origins`, with credentials for named origins; never
 * `/oauth/authorize` and `/api/authorize/*` (the sign-in pages are the server's own).
 */
export function registerCors(app: FastifyInstance, config: KeycardConfig): void {
  const origins = new Set(config.cors.origins);
  // A callback hook (not async): most requests carry no Origin and leave at once, without a promise.
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string') return done();
    const path = routedPath(request.routeOptions.url, request.url);
    if (NEVER_PREFIXES.some((p) => path.startsWith(p))) return done();
    let allow: string | undefined;
    let credentials = false;
    if (PUBLIC_PREFIXES.some((p) => path.startsWith(p))) {
      allow = '*';
    } else if (
      (path.startsWith('/api/') || path.startsWith('/oauth/')) &&
      (origins.has(origin) || origins.has('*'))
    ) {
      allow = origins.has(origin) ? origin : '*';
      credentials = allow !== '*';
    }
    if (allow === undefined) return done();
    reply.header('access-control-allow-origin', allow);
    reply.header('vary', 'Origin');
    if (credentials) reply.header('access-control-allow-credentials', 'true');
    reply.header('access-control-expose-headers', 'Retry-After, WWW-Authenticate, DPoP-Nonce');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      reply
        .header('access-control-allow-methods', 'GET, POST, PATCH, DELETE, OPTIONS')
        .header(
          'access-control-allow-headers',
          'Authorization, Content-Type, X-CSRF-Token, Last-Event-ID, DPoP',
        )
        .header('access-control-max-age', '600');
      // Answered here: the route's handler never runs (so `done` is not called).
      reply.code(204).send();
      return;
    }
    done();
  });
}

/**
 * The path the rules are judged on: the matched route's own pattern, else (no route: a preflight,
 * a 404) the request's path percent-decoded as the router decodes it. Never the path as sent: the
 * router takes `/api/%61uthorize/…` for `/api/authorize/…`.
 */
function routedPath(route: string | undefined, url: string): string {
  if (route !== undefined) return route;
  const path = url.split('?', 1)[0] ?? '';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

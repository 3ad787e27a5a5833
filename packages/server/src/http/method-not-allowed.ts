import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServerError } from '../errors.js';
import { sendError } from './errors.js';

/**
 * Remembers the methods of every fixed-path route, so a request for a known path with the wrong
 * method gets 405 with `Allow` (RFC 9110 §15.5.6) instead of a 404. Must be called before the
 * routes are registered. Returns the not-found step: it answers and returns true when the path is
 * known (OPTIONS gets 204 with `Allow`), else returns false.
 *
 * @example
 * ```ts
 * const methodNotAllowed = trackRouteMethods(app);
 * registerRoutes(app, ctx, hooks);
 * app.setNotFoundHandler((request, reply) => methodNotAllowed(request, reply) || notFound(request, reply));
 * ```
 */
export function trackRouteMethods(
  app: FastifyInstance,
): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (/[:*(]/.test(route.url)) return;
    const set = methods.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) set.add(method);
    if (set.has('GET')) set.add('HEAD');
    methods.set(route.url, set);
  });
  return (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = methods.get(path);
    if (allowed === undefined) return false;
    const allow = [...allowed, 'OPTIONS'].join(', ');
    reply.header('allow', allow);
    if (request.method === 'OPTIONS') {
      void reply.code(204).send();
    } else {
      sendError(request, reply, new ServerError('ERR_METHOD_NOT_ALLOWED'));
    }
    return true;
  };
}

import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { ServerError } from '../errors.js';

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Every route under `prefix` takes JSON only, checked before the body is read. A cross-site page
 * can post a form (urlencoded, multipart) or text without a CORS preflight — a sign-in CSRF
 * planting the attacker's account in the victim's browser, a sign-out behind the user's back — but
 * never `application/json`. Anything else is 415 ERR_UNSUPPORTED_MEDIA_TYPE.
 *
 * @example
 * ```ts
 * requireJsonUnder(app, '/api/authorize/');
 * ```
 */
export function requireJsonUnder(app: FastifyInstance, prefix: string): void {
  // A hook on the routes under `prefix` only (added as each is registered, so call this before
  // registering them): a hook on every request would cost every other route a turn of the loop.
  const check: onRequestHookHandler = (request, _reply, done) => {
    const type = request.headers['content-type'];
    if (typeof type !== 'string' || !JSON_TYPE.test(type)) {
      done(
        new ServerError('ERR_UNSUPPORTED_MEDIA_TYPE', {
          message: 'Send the request as application/json',
        }),
      );
      return;
    }
    done();
  };
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(prefix)) return;
    const own = route.onRequest;
    route.onRequest = own === undefined ? [check] : [check, ...[own].flat()];
  });
}

import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { safeEqual, sha256Hex } from '../../crypto/index.js';
import { ServerError } from '../../errors.js';
import { isStorageUnavailable } from '../../storage/unavailable.js';
import { bearerToken } from '../bearer.js';
import { STORAGE_RETRY_AFTER_SECONDS } from '../errors.js';

/**
 * `/healthz` is liveness: the process answers, whatever its dependencies do (restarting it would
 * not bring a database back). `/readyz` is readiness: storage answers within `storage.timeoutMs`
 * and a current signing key exists; otherwise 503 — ERR_STORAGE_UNAVAILABLE when storage is the
 * reason, else ERR_NOT_READY. A shared coordinator backend that is down (Redis: limits are local
 * and stricter; PostgreSQL notify: wake-ups wait for the 1 s poll) does not make it unready: it
 * answers 200 with `degraded: ['redis']`. `/metrics` when enabled, only for a scraper with `metrics.token`.
 */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    try {
      const keys = await ctx.keys.list();
      if (!keys.some((k) => k.state === 'current')) throw new Error('no current signing key');
    } catch (cause) {
      const code = isStorageUnavailable(cause) ? 'ERR_STORAGE_UNAVAILABLE' : 'ERR_NOT_READY';
      throw new ServerError(code, { cause, retryAfter: STORAGE_RETRY_AFTER_SECONDS });
    }
    const degraded = ctx.coordinator
      .health()
      .filter((backend) => !backend.up)
      .map((backend) => backend.name);
    return degraded.length > 0 ? { status: 'ready', degraded } : { status: 'ready' };
  });
  if (ctx.config.metrics.enabled) {
    const expected = ctx.config.metrics.token === undefined ? undefined : sha256Hex(ctx.config.metrics.token);
    app.get('/metrics', async (request, reply) => {
      // Metrics show traffic and failure rates: only a scraper holding `metrics.token` sees them.
      const presented = bearerToken(request);
      if (expected === undefined || presented === undefined || !safeEqual(sha256Hex(presented), expected)) {
        throw new ServerError('ERR_UNAUTHENTICATED');
      }
      reply.header('cache-control', 'no-store');
      reply.header('content-type', ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    });
  }
}

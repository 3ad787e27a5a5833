import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';

/** `/healthz` (process up), `/readyz` (storage answers, a signing key exists), `/metrics`. */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    try {
      const keys = await ctx.keys.list();
      if (!keys.some((k) => k.state === 'current')) throw new Error('no current signing key');
    } catch (cause) {
      throw new ServerError('ERR_NOT_READY', { cause });
    }
    return { status: 'ready' };
  });
  if (ctx.config.metrics.enabled) {
    app.get('/metrics', async (_request, reply) => {
      reply.header('content-type', ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    });
  }
}

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { AccountFeatures } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { inspectToken } from '../../tokens/index.js';
import { parseInput, requestInfo } from '../input.js';
import { issuerPath } from '../issuer-path.js';

const inspectBody = z.object({ token: z.string().min(1).max(16_384) });

/** Paths the SPA fallback never answers (they 404 as JSON). */
const API_PREFIXES = ['/api/', '/oauth/', '/.well-known/', '/revocations', '/metrics', '/healthz', '/readyz'];

/**
 * Where the built web app lives: `ui.staticDir`, else `@keycard/web`'s `dist` in a clone of the
 * repository. `@keycard/web` is a private workspace, never installed: a copy found inside a
 * `node_modules` folder (planted up the tree, or a look-alike package) is never served. `from` is
 * where resolution starts (this module; a test passes an install layout).
 */
export function resolveStaticDir(
  configured: string | undefined,
  from: string | URL = import.meta.url,
): string | undefined {
  if (configured !== undefined) return resolve(configured);
  try {
    const manifest = createRequire(from).resolve('@keycard/web/package.json');
    if (manifest.split(sep).includes('node_modules')) return undefined;
    return join(dirname(manifest), 'dist');
  } catch {
    return undefined;
  }
}

/** Whether a not-found request should get the SPA's index.html. */
export function wantsSpa(method: string, url: string, accept: string | undefined): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    !API_PREFIXES.some((p) => url.startsWith(p)) &&
    (accept ?? '').includes('text/html')
  );
}

/** `/api/ui-config`, `/api/inspect`, and the static web app with SPA fallback. */
export function uiRoutes(app: FastifyInstance, ctx: ServerContext): { spa: boolean } {
  app.get('/api/ui-config', async () => {
    const { doors, mailbox } = ctx.config.ui;
    const mail = ctx.mailer.configured;
    // Which email flows work here: the pages offer only these links and forms.
    const accounts: AccountFeatures = {
      passwordReset: mail,
      signup: mail && ctx.config.accounts.signup,
      emailVerification: mail,
    };
    return { issuer: ctx.issuer, doors, accounts, ...(mailbox === undefined ? {} : { mailbox }) };
  });

  app.post('/api/inspect', async (request, reply) => {
    await ctx.throttle.hitIp('token', requestInfo(request).ip);
    const { token } = parseInput(inspectBody, request.body);
    reply.header('cache-control', 'no-store');
    return inspectToken(ctx, token.trim());
  });

  if (!ctx.config.ui.enabled) return { spa: false };
  if (issuerPath(ctx.config.issuer) !== '') {
    // The web app is built for the origin's root (absolute /api and /assets paths).
    ctx.logger.info(
      { issuer: ctx.config.issuer },
      'issuer has a path: serving the API only, not the web app',
    );
    return { spa: false };
  }
  const root = resolveStaticDir(ctx.config.ui.staticDir);
  if (root === undefined || !existsSync(join(root, 'index.html'))) {
    ctx.logger.info({ root }, 'web app not built: serving the API only');
    return { spa: false };
  }
  // Dotfiles (a `.env` or `.git` left next to a build) are never served: 404, like a missing file.
  app.register(fastifyStatic, {
    root,
    wildcard: true,
    index: ['index.html'],
    cacheControl: false,
    dotfiles: 'ignore',
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && !API_PREFIXES.some((p) => request.url.startsWith(p))) {
      // Hashed assets may be cached; the HTML must be revalidated to pick up new builds.
      reply.header('cache-control', type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600');
    }
    done(null, payload);
  });
  return { spa: true };
}

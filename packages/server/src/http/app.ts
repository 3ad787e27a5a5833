import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { FeedAdmission, FeedBroadcaster, FeedNotifier } from '../revocations/index.js';
import { registerCors } from './cors.js';
import { handleError, sendError } from './errors.js';
import { parseForm } from './input.js';
import { issuerPathRewriter } from './issuer-path.js';
import { trackRouteMethods } from './method-not-allowed.js';
import { serializeRequest } from './request-log.js';
import { registerRoutes } from './routes/index.js';
import { wantsSpa } from './routes/ui.js';
import { registerSecurityHeaders } from './security-headers.js';

/** Per-app state the routes share with the server's close(). */
export interface AppHooks {
  /** Aborted when the server starts closing: long-polls return, SSE streams end. */
  closing: AbortController;
  /** Wakes long-polls and SSE streams when new revocation events exist. */
  feed: FeedNotifier;
  /** This instance's one reader of the feed, shared by every SSE stream. */
  feedBroadcaster: FeedBroadcaster;
  /** Caps on open feed readers, per source address and in total. */
  feedAdmission: FeedAdmission;
}

/**
 * Builds the Fastify app over the services. Handlers stay thin: parse, call a service, shape
 * the answer.
 */
export function buildApp(ctx: ServerContext, logger: PinoLogger, hooks: AppHooks): FastifyInstance {
  const app = Fastify({
    // A request's line shows its path and query parameter names, not their values (secrets, names).
    loggerInstance: logger.child({}, { serializers: { req: serializeRequest } }),
    // A request's own child logger (its reqId binding, run through the redaction) only when
    // something may be logged: a silent server would build one per request for nothing.
    childLoggerFactory: (parent, bindings, opts) =>
      opts.level === undefined && parent.level === 'silent' ? parent : parent.child(bindings, opts),
    bodyLimit: ctx.config.bodyLimit,
    ...withDefined('trustProxy', trustedProxies(ctx.config.trustProxy)),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // An issuer with a path (https://host/kc) is served under that path (RFC 8414 §3).
    ...withDefined('rewriteUrl', issuerPathRewriter(ctx.config.issuer)),
  }) as unknown as FastifyInstance;

  app.register(cookie);
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: ctx.config.bodyLimit },
    (_request, body, done) => {
      try {
        done(null, parseForm(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  app.setErrorHandler(handleError);
  registerCors(app, ctx.config);
  registerSecurityHeaders(app, ctx.config);
  app.addHook('preClose', async () => {
    hooks.closing.abort();
  });
  const methodNotAllowed = trackRouteMethods(app);
  const { spa } = registerRoutes(app, ctx, hooks);
  app.setNotFoundHandler((request, reply) => {
    if (methodNotAllowed(request, reply)) return reply;
    if (spa && wantsSpa(request.method, request.url, request.headers.accept)) {
      return reply.code(200).type('text/html; charset=utf-8').sendFile('index.html');
    }
    return sendError(request, reply, new ServerError('ERR_NOT_FOUND'));
  });
  return app;
}

/** `{ [key]: value }` when value is defined, else `{}` (for exact optional options). */
function withDefined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/**
 * Fastify's `trustProxy` for the configured proxies. Never "trust every hop": then the leftmost
 * `X-Forwarded-For` entry — whatever the client wrote before its proxy appended the address it
 * saw — would be the source every throttle counts. `true` is one hop; `n` hops trusts the peer
 * and the n-1 entries nearest to it; a list is handed to proxy-addr (addresses, CIDR ranges).
 */
function trustedProxies(
  setting: boolean | number | string[],
): ((address: string, hop: number) => boolean) | string[] | undefined {
  if (setting === false) return undefined;
  if (Array.isArray(setting)) return setting;
  const hops = setting === true ? 1 : setting;
  return (_address, hop) => hop < hops;
}

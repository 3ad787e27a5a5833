import { setMaxListeners } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { alignWebClient } from './clients/index.js';
import { type KeycardConfig, type KeycardConfigInput, parseConfig } from './config/index.js';
import type { ServerContext } from './context.js';
import { type AppHooks, buildApp } from './http/app.js';
import { startMaintenance } from './jobs/index.js';
import { createLogger } from './logger.js';
import { createFeedAdmission, createFeedBroadcaster, createFeedNotifier } from './revocations/index.js';
import { baseUrl, type CreateServerOptions, openServices } from './services.js';

/** A running (or ready-to-listen) keycard server. */
export interface KeycardServer {
  /** The Fastify app (inject() works without listening). */
  readonly app: FastifyInstance;
  /** The domain services and their dependencies. */
  readonly services: ServerContext;
  readonly config: KeycardConfig;
  /** Binds the socket; returns the base URL. Without a configured issuer, it becomes that URL. */
  listen(opts?: { port?: number; host?: string }): Promise<string>;
  /** Stops accepting, ends feed streams, finishes in-flight requests, closes what it opened. */
  close(): Promise<void>;
}

/**
 * Creates the auth server: the services (see {@link openServices}) behind a Fastify app,
 * plus the periodic key-rotation and pruning jobs.
 *
 * @example
 * ```ts
 * const server = await createServer({ dataDir: '.keycard', port: 4000 });
 * const url = await server.listen();
 * // ... later
 * await server.close();
 * ```
 */
export async function createServer(
  configInput: KeycardConfigInput | KeycardConfig = {},
  options: CreateServerOptions = {},
): Promise<KeycardServer> {
  const config = parseConfig(configInput);
  const logger = options.logger ?? createLogger(config.logLevel);
  const opened = await openServices(config, { ...options, logger });
  const ctx = opened.ctx;
  // The web app's redirect URI is the issuer's root: known now if configured, else once bound.
  try {
    await alignWebClient(ctx);
  } catch (error) {
    await opened.close();
    throw error;
  }
  // Compute the dummy hash now, so the first sign-in of an unknown user costs what a real one does.
  void ctx.passwords.verifyDummy('warm-up').catch(() => {});
  const feed = createFeedNotifier(ctx.storage, ctx.coordinator, 1000);
  // Every open feed reader listens for the server closing: thousands are normal, not a leak.
  const closing = new AbortController();
  setMaxListeners(0, closing.signal);
  const hooks: AppHooks = {
    closing,
    feed,
    feedBroadcaster: createFeedBroadcaster(ctx.storage, feed, (err) =>
      logger.error({ err }, 'revocation feed read failed'),
    ),
    feedAdmission: createFeedAdmission(config.revocations),
  };
  const app = buildApp(ctx, logger, hooks);
  const stopJobs = options.jobs === false ? async () => {} : startMaintenance(ctx);
  let closed: Promise<void> | undefined;

  return {
    app,
    services: ctx,
    config,
    async listen(opts = {}) {
      const host = opts.host ?? config.host;
      await app.listen({ port: opts.port ?? config.port, host });
      const address = app.server.address();
      const port =
        typeof address === 'object' && address !== null ? address.port : (opts.port ?? config.port);
      const url = baseUrl(host, port);
      if (config.issuer === undefined && ctx.issuer !== url) {
        ctx.issuer = url;
        await alignWebClient(ctx);
      }
      logger.info({ url, issuer: ctx.issuer }, 'keycard server listening');
      return url;
    },
    close() {
      closed ??= (async () => {
        await stopJobs();
        await app.close();
        hooks.feedBroadcaster.close();
        feed.close();
        await opened.close();
      })();
      return closed;
    },
  };
}

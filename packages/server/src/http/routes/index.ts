import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import type { AppHooks } from '../app.js';
import { apiAccountRoutes } from './api-account.js';
import { apiSessionRoutes } from './api-session.js';
import { discoveryRoutes } from './discovery.js';
import { healthRoutes } from './health.js';
import { oauthRevokeRoutes } from './oauth-revoke.js';
import { oauthTokenRoutes } from './oauth-token.js';
import { revocationRoutes } from './revocations.js';

/** Registers every route. */
export function registerRoutes(app: FastifyInstance, ctx: ServerContext, hooks: AppHooks): void {
  healthRoutes(app, ctx);
  discoveryRoutes(app, ctx);
  oauthTokenRoutes(app, ctx);
  oauthRevokeRoutes(app, ctx);
  apiSessionRoutes(app, ctx);
  apiAccountRoutes(app, ctx);
  revocationRoutes(app, ctx, hooks);
}

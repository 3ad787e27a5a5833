import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import type { AppHooks } from '../app.js';
import { requireJsonUnder } from '../json-only.js';
import { adminDirectoryRoutes } from './admin-directory.js';
import { adminSystemRoutes } from './admin-system.js';
import { adminUserRoutes } from './admin-users.js';
import { apiAccountRoutes } from './api-account.js';
import { apiAccountMfaRoutes } from './api-account-mfa.js';
import { apiAuthorizeRoutes } from './api-authorize.js';
import { apiAuthorizeMfaRoutes } from './api-authorize-mfa.js';
import { apiEmailRoutes } from './api-email.js';
import { apiMfaRoutes } from './api-mfa.js';
import { apiSessionRoutes } from './api-session.js';
import { authorizeLogoutRoutes } from './authorize-logout.js';
import { discoveryRoutes } from './discovery.js';
import { healthRoutes } from './health.js';
import { oauthAuthorizeRoutes } from './oauth-authorize.js';
import { oauthLogoutRoutes } from './oauth-logout.js';
import { oauthRevokeRoutes } from './oauth-revoke.js';
import { oauthTokenRoutes } from './oauth-token.js';
import { oauthUserinfoRoutes } from './oauth-userinfo.js';
import { revocationRoutes } from './revocations.js';
import { uiRoutes } from './ui.js';

/**
 * Registers every route. Records on `ctx.webPages` whether the web app (and so the sign-in and
 * consent pages of `/oauth/authorize`) is served.
 */
export function registerRoutes(app: FastifyInstance, ctx: ServerContext, hooks: AppHooks): { spa: boolean } {
  // The pages' JSON API (sign-in, consent, sign-out confirmation): never a form.
  requireJsonUnder(app, '/api/authorize/');
  // Setting up a factor, possibly with an mfa_token in the body instead of a card: never a form.
  requireJsonUnder(app, '/api/mfa/');
  // First: the sign-out endpoint needs to know whether the web app's pages are served.
  const ui = uiRoutes(app, ctx);
  healthRoutes(app, ctx);
  discoveryRoutes(app, ctx);
  oauthTokenRoutes(app, ctx);
  oauthRevokeRoutes(app, ctx);
  oauthUserinfoRoutes(app, ctx);
  oauthLogoutRoutes(app, ctx, ui);
  authorizeLogoutRoutes(app, ctx);
  apiSessionRoutes(app, ctx);
  apiAccountRoutes(app, ctx);
  apiAccountMfaRoutes(app, ctx);
  apiMfaRoutes(app, ctx);
  apiEmailRoutes(app, ctx);
  revocationRoutes(app, ctx, hooks);
  adminUserRoutes(app, ctx);
  adminDirectoryRoutes(app, ctx);
  adminSystemRoutes(app, ctx);
  ctx.webPages = ui.spa;
  oauthAuthorizeRoutes(app, ctx, ui.spa);
  apiAuthorizeRoutes(app, ctx);
  apiAuthorizeMfaRoutes(app, ctx);
  return ui;
}

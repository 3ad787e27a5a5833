import { AUTHORIZE_API, type LogoutDetails, type LogoutResult, toEpochSeconds } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { endBrowserSession } from '../../authorize/end-browser-session.js';
import { logoutRedirect, MAX_LOGOUT_LINK_LENGTH, openLogoutRequest } from '../../authorize/logout-request.js';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import { browserSessionCsrf, clearBrowserSessionCookie, hasBrowserSessionCsrf } from '../browser-session.js';
import { parseInput, requestInfo } from '../input.js';
import { signedInBrowser } from '../signed-in.js';

const sealed = z.string().min(1).max(MAX_LOGOUT_LINK_LENGTH);
const detailsBody = z.object({ logout: sealed });
const logoutBody = z.object({ logout: sealed, confirm: z.boolean() });

/**
 * The web app's sign-out confirmation page (`/#/logout?l=…`) behind RP-initiated logout:
 * `POST /api/authorize/logout/details` `{ logout }` tells it who asks and who is signed in, with
 * the CSRF token of this browser's session; `POST /api/authorize/logout` `{ logout, confirm }` with
 * `X-CSRF-Token` ends the session (confirm) or not, and answers where the browser goes next.
 * Someone is signed in here as for the sign-in pages: a live browser session of a user who exists
 * and is not disabled.
 * An invalid or expired `logout` is 400 ERR_LOGOUT_EXPIRED; a wrong CSRF token 403 ERR_CSRF.
 */
export function authorizeLogoutRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(AUTHORIZE_API.logoutDetails, async (request, reply) => {
    const body = parseInput(detailsBody, request.body);
    const { request: logout, expiresAt } = openLogoutRequest(ctx, body.logout);
    const signedIn = await signedInBrowser(ctx, request);
    const client = logout.clientId === null ? undefined : await ctx.directory.client(logout.clientId);
    reply.header('cache-control', 'no-store');
    return {
      client: client === undefined ? null : { id: client.id, name: client.name },
      user: signedIn === undefined ? null : { id: signedIn.user.id, username: signedIn.user.username },
      ...(signedIn === undefined ? {} : { csrf: browserSessionCsrf(ctx, signedIn.session.id) }),
      returnsToClient: logout.postLogoutRedirectUri !== null,
      expiresAt: toEpochSeconds(expiresAt),
    } satisfies LogoutDetails;
  });

  app.post(AUTHORIZE_API.logout, async (request, reply) => {
    const body = parseInput(logoutBody, request.body);
    const { request: logout } = openLogoutRequest(ctx, body.logout);
    const signedIn = await signedInBrowser(ctx, request);
    if (signedIn !== undefined) {
      const { session } = signedIn;
      if (!hasBrowserSessionCsrf(ctx, request, session.id)) throw new ServerError('ERR_CSRF');
      if (body.confirm) {
        await endBrowserSession(ctx, session.id, 'logout', {
          actor: session.userId,
          request: requestInfo(request),
        });
        clearBrowserSessionCookie(reply);
      }
    }
    reply.header('cache-control', 'no-store');
    return { redirect: logoutRedirect(logout, body.confirm) } satisfies LogoutResult;
  });
}

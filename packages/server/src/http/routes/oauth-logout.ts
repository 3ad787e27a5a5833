import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { endBrowserSession } from '../../authorize/end-browser-session.js';
import { type IdTokenHint, MAX_ID_TOKEN_HINT_LENGTH } from '../../authorize/id-token-hint.js';
import {
  checkLogoutRequest,
  type LogoutRequest,
  logoutRedirect,
  sealLogoutRequest,
} from '../../authorize/logout-request.js';
import { MAX_REDIRECT_URI_LENGTH } from '../../clients/redirect-uri.js';
import type { RequestInfo, ServerContext } from '../../context.js';
import { isServerError } from '../../errors.js';
import type { BrowserSessionRecord } from '../../storage/index.js';
import { clearBrowserSessionCookie, currentBrowserSession } from '../browser-session.js';
import { parseInput, requestInfo } from '../input.js';
import { sendPlainPage } from '../plain-page.js';

// Other parameters (logout_hint, ui_locales) are ignored, as the specification allows.
const logoutParams = z.object({
  id_token_hint: z.string().max(MAX_ID_TOKEN_HINT_LENGTH).optional(),
  client_id: z.string().max(200).optional(),
  post_logout_redirect_uri: z.string().max(MAX_REDIRECT_URI_LENGTH).optional(),
  state: z.string().max(1024).optional(),
});

const FAILED = 'Sign-out failed';

/**
 * `GET` and `POST /oauth/logout`: the end-session endpoint (OpenID Connect RP-Initiated Logout 1.0).
 *
 * A request that cannot be trusted to lead anywhere (a bad hint, an unknown client, an
 * unregistered `post_logout_redirect_uri`) gets a 400 error page and no redirect. With a valid
 * `id_token_hint` for this browser's session (or when this browser has none), the session ends at
 * once and the browser goes back to the client (303, with `state`) or to the web app's "signed
 * out" page. Anything else — no hint, or a hint from another browser session — sends the browser
 * to the web app's confirmation page (`/#/logout?l=…`, the request sealed inside), so a page
 * elsewhere cannot sign the user out behind their back.
 */
export function oauthLogoutRoutes(app: FastifyInstance, ctx: ServerContext, ui: { spa: boolean }): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let params: z.output<typeof logoutParams>;
    try {
      params = parseInput(logoutParams, request.method === 'GET' ? request.query : request.body);
    } catch (error) {
      if (!isServerError(error)) throw error;
      return sendPlainPage(reply, 400, FAILED, 'The sign-out request is malformed.');
    }
    const checked = await checkLogoutRequest(ctx, params);
    if (!checked.ok) return sendPlainPage(reply, 400, FAILED, checked.message);
    const current = await currentBrowserSession(ctx, request);
    const info = requestInfo(request);
    const { hint } = checked;
    if (hint !== undefined && (current === undefined || isHintFor(hint, current))) {
      if (current !== undefined) {
        await endBrowserSession(ctx, current.id, 'logout', { actor: current.userId, request: info });
        clearBrowserSessionCookie(reply);
      } else {
        await endLapsedBrowserSession(ctx, hint, info);
      }
      return finish(reply, checked.request, ui.spa);
    }
    if (!ui.spa) {
      return sendPlainPage(
        reply,
        400,
        FAILED,
        'The sign-out confirmation page is not served by this server.',
      );
    }
    return reply
      .code(303)
      .header('location', `/#/logout?l=${sealLogoutRequest(ctx, checked.request)}`)
      .send();
  };
  app.get('/oauth/logout', handler);
  app.post('/oauth/logout', handler);
}

function isHintFor(hint: IdTokenHint, session: BrowserSessionRecord): boolean {
  return hint.sid === session.id && hint.sub === session.userId;
}

/**
 * No live session in this browser, but the hint names a browser session that lapsed without being
 * ended (it expired): end it now, so the sessions issued through it are revoked. A live session of
 * another browser is left alone: an ID token is not the browser it was issued in.
 */
async function endLapsedBrowserSession(ctx: ServerContext, hint: IdTokenHint, info: RequestInfo) {
  if (hint.sid === undefined) return;
  const session = await ctx.storage.browserSessions.get(hint.sid);
  if (session === undefined || session.userId !== hint.sub) return;
  if (session.endedAt === null && session.expiresAt > ctx.clock()) return;
  await endBrowserSession(ctx, session.id, 'logout', { actor: session.userId, request: info });
}

function finish(reply: FastifyReply, request: LogoutRequest, spa: boolean): FastifyReply {
  if (request.postLogoutRedirectUri === null && !spa) {
    return sendPlainPage(reply, 200, 'Signed out', 'You are signed out. You can close this window.');
  }
  return reply.code(303).header('location', logoutRedirect(request, true)).send();
}

import { END_SESSION_PATH, LOGOUT_ROUTE } from '@keycard/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { endBrowserSession } from '../../authorize/end-browser-session.js';
import { type IdTokenHint, MAX_ID_TOKEN_HINT_LENGTH } from '../../authorize/id-token-hint.js';
import {
  checkLogoutRequest,
  type LogoutRequest,
  logoutRedirect,
  MAX_LOGOUT_STATE_LENGTH,
  sealLogoutRequest,
} from '../../authorize/logout-request.js';
import { MAX_REDIRECT_URI_LENGTH } from '../../clients/redirect-uri.js';
import type { ServerContext } from '../../context.js';
import { isServerError } from '../../errors.js';
import type { BrowserSessionRecord } from '../../storage/index.js';
import { clearBrowserSessionCookie } from '../browser-session.js';
import { parseInput, requestInfo } from '../input.js';
import { sendServerPage } from '../server-page.js';
import { signedInBrowser } from '../signed-in.js';

// Other parameters (logout_hint, ui_locales) are ignored, as the specification allows.
const logoutParams = z.object({
  id_token_hint: z.string().max(MAX_ID_TOKEN_HINT_LENGTH).optional(),
  client_id: z.string().max(200).optional(),
  post_logout_redirect_uri: z.string().max(MAX_REDIRECT_URI_LENGTH).optional(),
  state: z.string().max(MAX_LOGOUT_STATE_LENGTH).optional(),
});
type LogoutParams = z.output<typeof logoutParams>;

/** Longest URL a POST is re-sent to as a GET (what proxies and servers take in a request line). */
const MAX_GET_URL_LENGTH = 8000;

const FAILED = 'Sign-out failed';

/**
 * `GET` and `POST /oauth/logout`: the end-session endpoint (OpenID Connect RP-Initiated Logout 1.0).
 *
 * A request that cannot be trusted to lead anywhere (a bad hint, an unknown client, an
 * unregistered `post_logout_redirect_uri`) gets a 400 error page and no redirect. Otherwise (a live
 * session being one whose user exists and is not disabled, as for the sign-in pages):
 * - this browser's live session and a valid `id_token_hint` for it: the session ends and the browser
 *   goes back to the client (303, with `state`) or to the web app's "signed out" page;
 * - this browser's live session and no hint, or a hint from another browser session: the web app's
 *   confirmation page (`/#/logout?l=…`, the request sealed inside), so a page elsewhere cannot sign
 *   the user out behind their back;
 * - no live session in the request: nothing changes here. The cookie is SameSite=Lax, so a
 *   cross-site `POST` never carries it: a POST is sent back (303) as the same request by `GET`,
 *   a top-level navigation that does carry it (or, when too long for a URL, to the confirmation
 *   page, whose same-origin calls carry it). A `GET` without one finds nobody signed in here and
 *   goes straight back to the client (or the "signed out" page).
 */
export function oauthLogoutRoutes(app: FastifyInstance, ctx: ServerContext, ui: { spa: boolean }): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let params: LogoutParams;
    try {
      params = parseInput(logoutParams, request.method === 'GET' ? request.query : request.body);
    } catch (error) {
      if (!isServerError(error)) throw error;
      return sendServerPage(reply, 400, { title: FAILED, message: 'The sign-out request is malformed.' });
    }
    const checked = await checkLogoutRequest(ctx, params);
    if (!checked.ok) return sendServerPage(reply, 400, { title: FAILED, message: checked.message });
    const current = (await signedInBrowser(ctx, request))?.session;
    if (current === undefined) {
      if (request.method !== 'POST') return finish(reply, checked.request, ui.spa);
      const query = new URLSearchParams(given(params)).toString();
      const asGet = `${ctx.issuer}${END_SESSION_PATH}${query === '' ? '' : `?${query}`}`;
      if (asGet.length <= MAX_GET_URL_LENGTH) return reply.code(303).header('location', asGet).send();
      return confirm(ctx, reply, checked.request, ui.spa);
    }
    if (checked.hint !== undefined && isHintFor(checked.hint, current)) {
      await endBrowserSession(ctx, current.id, 'logout', {
        actor: current.userId,
        request: requestInfo(request),
      });
      clearBrowserSessionCookie(reply);
      return finish(reply, checked.request, ui.spa);
    }
    return confirm(ctx, reply, checked.request, ui.spa);
  };
  app.get(END_SESSION_PATH, handler);
  app.post(END_SESSION_PATH, handler);
}

function isHintFor(hint: IdTokenHint, session: BrowserSessionRecord): boolean {
  return hint.sid === session.id && hint.sub === session.userId;
}

/** The parameters that were given a value, in their order. */
function given(params: LogoutParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v === 'string' && v !== ''));
}

/** The web app's confirmation page, where the user decides (with the cookie, on this origin). */
function confirm(
  ctx: ServerContext,
  reply: FastifyReply,
  request: LogoutRequest,
  spa: boolean,
): FastifyReply {
  if (!spa) {
    return sendServerPage(reply, 400, {
      title: FAILED,
      message: 'The sign-out confirmation page is not served by this server.',
    });
  }
  return reply
    .code(303)
    .header('location', `/#${LOGOUT_ROUTE.path}?${LOGOUT_ROUTE.request}=${sealLogoutRequest(ctx, request)}`)
    .send();
}

function finish(reply: FastifyReply, request: LogoutRequest, spa: boolean): FastifyReply {
  if (request.postLogoutRedirectUri === null && !spa) {
    return sendServerPage(reply, 200, {
      title: 'Signed out',
      message: 'You are signed out. You can close this window.',
    });
  }
  return reply.code(303).header('location', logoutRedirect(request, true)).send();
}

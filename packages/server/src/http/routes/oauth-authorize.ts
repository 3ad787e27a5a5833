import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerAuthorizationForm, startAuthorization } from '../../authorize/index.js';
import type { ServerContext } from '../../context.js';
import { toServerError } from '../errors.js';
import { requestInfo } from '../input.js';
import { type ServerPageText, sendServerPage } from '../server-page.js';
import { signedInBrowser } from '../signed-in.js';

export const AUTHORIZE_PATH = '/oauth/authorize';

const NOT_SERVED: ServerPageText = {
  title: 'Sign-in is not available here',
  message:
    'This front desk does not serve its sign-in pages, so apps cannot send you here to sign in. ' +
    'Go back to the app and tell its developers.',
  detail: 'the web app is not served (ui.enabled is off, it is not built, or the issuer has a path)',
};

/** What the person reads for each page error; the detail line is the parser's fixed sentence. */
function pageText(error: 'invalid_request' | 'invalid_client', description: string): ServerPageText {
  return error === 'invalid_client'
    ? {
        title: 'Unknown app',
        message:
          'The app that sent you here is not registered at this front desk, so you cannot sign in to it here.',
        detail: `${error}: ${description}`,
      }
    : {
        title: 'Sign-in request refused',
        message:
          'The app sent a sign-in request this front desk cannot accept, so you have not been sent anywhere. ' +
          'Go back to the app and try again, or tell its developers.',
        detail: `${error}: ${description}`,
      };
}

/** The query of a request URL as sent (every value of a repeated name kept). */
function rawQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/**
 * `GET` and `POST /oauth/authorize` (RFC 6749 §4.1.1; the POST as a form, OIDC Core §3.1.2.1).
 * Every answer is a 303 (to the client, to the sign-in pages, or from a valid POST to the same
 * request as a GET, which carries the front-desk cookie) or the server's own HTML page: never
 * JSON, never CORS. When the web app is not served (`pages: false`) nothing can sign in, so every
 * request gets the page saying so.
 */
export function oauthAuthorizeRoutes(app: FastifyInstance, ctx: ServerContext, pages: boolean): void {
  const handle = async (
    request: FastifyRequest,
    reply: FastifyReply,
    params: URLSearchParams,
    method: 'GET' | 'POST',
  ) => {
    if (!pages) {
      ctx.metrics.authorizations.inc({ result: 'page_error' });
      return sendServerPage(reply, 400, NOT_SERVED);
    }
    const outcome =
      method === 'POST'
        ? await answerAuthorizationForm(ctx, params, `${ctx.issuer}${AUTHORIZE_PATH}`)
        : await startAuthorization(ctx, params, await signedInBrowser(ctx, request), requestInfo(request));
    if (outcome.kind === 'page-error')
      return sendServerPage(reply, 400, pageText(outcome.error, outcome.description));
    return reply.code(303).header('location', outcome.location).send();
  };

  // Its own scope: the form body is read raw (a repeated parameter is the parser's to judge, as in
  // the query), and errors are answered as a page for the person, not as JSON.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/x-www-form-urlencoded');
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: ctx.config.bodyLimit },
      (_request, body, done) => done(null, body),
    );
    scope.setErrorHandler((error, request, reply) => {
      const serverError = toServerError(error);
      if (serverError.status >= 500) request.log.error({ err: error }, 'authorization request failed');
      else request.log.info({ code: serverError.code }, 'authorization request rejected');
      if (serverError.retryAfter !== undefined) reply.header('retry-after', String(serverError.retryAfter));
      const busy = serverError.status === 503;
      return sendServerPage(reply, serverError.status >= 400 ? serverError.status : 500, {
        title: busy ? 'The front desk is busy' : 'Sign-in request refused',
        message: busy
          ? 'The front desk cannot answer right now. Wait a moment and try again from the app.'
          : 'This sign-in request cannot be handled. Go back to the app and try again.',
        detail: serverError.code,
      });
    });
    scope.get(AUTHORIZE_PATH, (request, reply) =>
      handle(request, reply, new URLSearchParams(rawQuery(request.url)), 'GET'),
    );
    scope.post(AUTHORIZE_PATH, (request, reply) => {
      if (request.body !== undefined && typeof request.body !== 'string')
        return sendServerPage(reply, 415, {
          title: 'Sign-in request refused',
          message: 'This sign-in request cannot be handled. Go back to the app and try again.',
          detail:
            'invalid_request: a POST authorization request is a form (application/x-www-form-urlencoded)',
        });
      return handle(request, reply, new URLSearchParams(request.body ?? ''), 'POST');
    });
  });
}

import { AUTHORIZE_API, type AuthorizeAnswer, type AuthorizeDetails } from '@keycard/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  answerConsent,
  authorizeDetails,
  loadInteraction,
  MAX_INTERACTION_LENGTH,
  proceed,
  type SignedIn,
  type StepResult,
  signInBrowser,
} from '../../authorize/index.js';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import {
  browserSessionCsrf,
  browserSessionIdFrom,
  hasBrowserSessionCsrf,
  setBrowserSessionCookie,
} from '../browser-session.js';
import { parseInput, requestInfo } from '../input.js';
import { signedInBrowser } from '../signed-in.js';

const interaction = z.string().min(1).max(MAX_INTERACTION_LENGTH);
const detailsBody = z.object({ interaction });
const loginBody = z.object({ interaction, username: z.string().max(1024), password: z.string().max(4096) });
const consentBody = z.object({ interaction, allow: z.boolean() });

/**
 * The browser session behind a consent or continue call, with its CSRF token in `X-CSRF-Token`:
 * 401 ERR_LOGIN_REQUIRED without a live one (a cross-site request carries no cookie), 403 ERR_CSRF
 * with a missing or wrong token.
 */
async function signedInWithCsrf(ctx: ServerContext, request: FastifyRequest): Promise<SignedIn> {
  const signedIn = await signedInBrowser(ctx, request);
  if (signedIn === undefined) throw new ServerError('ERR_LOGIN_REQUIRED');
  if (!hasBrowserSessionCsrf(ctx, request, signedIn.session.id)) throw new ServerError('ERR_CSRF');
  return signedIn;
}

function withCsrf(
  ctx: ServerContext,
  details: AuthorizeDetails,
  signedIn: SignedIn | undefined,
): AuthorizeDetails {
  return signedIn === undefined
    ? details
    : { ...details, csrf: browserSessionCsrf(ctx, signedIn.session.id) };
}

function answer(ctx: ServerContext, result: StepResult, signedIn: SignedIn): AuthorizeAnswer {
  return 'redirect' in result ? result : { details: withCsrf(ctx, result.details, signedIn) };
}

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/**
 * `POST /api/authorize/details|login|consent|continue`: the JSON API of the sign-in and consent
 * pages (same origin only: never CORS; JSON only: `requireJsonUnder` in routes/index.ts). Each
 * takes the sealed `interaction` the authorization endpoint put in the page's link.
 */
export function apiAuthorizeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(AUTHORIZE_API.details, async (request, reply) => {
    const body = parseInput(detailsBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const signedIn = await signedInBrowser(ctx, request);
    noStore(reply);
    return withCsrf(ctx, await authorizeDetails(ctx, loaded, signedIn), signedIn);
  });

  app.post(AUTHORIZE_API.login, async (request, reply): Promise<AuthorizeAnswer> => {
    const body = parseInput(loginBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const info = requestInfo(request);
    const signedIn = await signInBrowser(ctx, {
      username: body.username,
      password: body.password,
      clientId: loaded.client.id,
      previousSessionId: browserSessionIdFrom(ctx, request),
      request: info,
    });
    setBrowserSessionCookie(ctx, reply, signedIn.session);
    noStore(reply);
    return answer(ctx, await proceed(ctx, loaded, signedIn, info), signedIn);
  });

  app.post(AUTHORIZE_API.consent, async (request, reply): Promise<AuthorizeAnswer> => {
    const body = parseInput(consentBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const signedIn = await signedInWithCsrf(ctx, request);
    noStore(reply);
    const redirect = await answerConsent(ctx, loaded, signedIn, {
      allow: body.allow,
      requestInfo: requestInfo(request),
    });
    return { redirect };
  });

  app.post(AUTHORIZE_API.continue, async (request, reply): Promise<AuthorizeAnswer> => {
    const body = parseInput(detailsBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const signedIn = await signedInWithCsrf(ctx, request);
    noStore(reply);
    return answer(ctx, await proceed(ctx, loaded, signedIn, requestInfo(request)), signedIn);
  });
}

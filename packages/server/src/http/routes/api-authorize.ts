import { AUTHORIZE_API, type AuthorizeAnswer, type AuthorizeLoginAnswer } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  answerConsent,
  authorizeDetails,
  loadInteraction,
  loginAtDesk,
  proceed,
} from '../../authorize/index.js';
import type { ServerContext } from '../../context.js';
import { answer, interaction, noStore, signedInWithCsrf, withCsrf } from '../authorize-pages.js';
import { browserSessionIdFrom, setBrowserSessionCookie } from '../browser-session.js';
import { parseInput, requestInfo } from '../input.js';
import { signedInBrowser } from '../signed-in.js';

const detailsBody = z.object({ interaction });
const loginBody = z.object({ interaction, username: z.string().max(1024), password: z.string().max(4096) });
const consentBody = z.object({ interaction, allow: z.boolean() });

/**
 * `POST /api/authorize/details|login|consent|continue`: the JSON API of the sign-in and consent
 * pages (same origin only: never CORS; JSON only: `requireJsonUnder` in routes/index.ts). Each
 * takes the sealed `interaction` the authorization endpoint put in the page's link. The second
 * factor and passkey sign-in (`mfa`, `passkey/options`, `passkey`) are in api-authorize-mfa.ts.
 */
export function apiAuthorizeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(AUTHORIZE_API.details, async (request, reply) => {
    noStore(reply);
    const body = parseInput(detailsBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const signedIn = await signedInBrowser(ctx, request);
    return withCsrf(ctx, await authorizeDetails(ctx, loaded, signedIn), signedIn);
  });

  // The password; when a second factor is due the answer is `{ mfa }` and no session exists yet.
  app.post(AUTHORIZE_API.login, async (request, reply): Promise<AuthorizeLoginAnswer> => {
    noStore(reply);
    const body = parseInput(loginBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const outcome = await loginAtDesk(ctx, loaded, {
      interaction: body.interaction,
      username: body.username,
      password: body.password,
      previousSessionId: browserSessionIdFrom(ctx, request),
      request: requestInfo(request),
    });
    if (outcome.kind === 'mfa') return { mfa: outcome.mfa };
    if (outcome.kind === 'refused') return answer(ctx, outcome.result, undefined);
    setBrowserSessionCookie(ctx, reply, outcome.signedIn.session);
    return answer(ctx, outcome.result, outcome.signedIn);
  });

  app.post(AUTHORIZE_API.consent, async (request, reply): Promise<AuthorizeAnswer> => {
    noStore(reply);
    const body = parseInput(consentBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const signedIn = await signedInWithCsrf(ctx, request);
    const redirect = await answerConsent(ctx, loaded, signedIn, {
      allow: body.allow,
      requestInfo: requestInfo(request),
    });
    return { redirect };
  });

  app.post(AUTHORIZE_API.continue, async (request, reply): Promise<AuthorizeAnswer> => {
    noStore(reply);
    const body = parseInput(detailsBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const signedIn = await signedInWithCsrf(ctx, request);
    return answer(ctx, await proceed(ctx, loaded, signedIn, requestInfo(request)), signedIn);
  });
}

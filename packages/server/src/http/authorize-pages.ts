import type { AuthorizeAnswer, AuthorizeDetails } from '@keycard/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MAX_INTERACTION_LENGTH, type SignedIn, type StepResult } from '../authorize/index.js';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { browserSessionCsrf, hasBrowserSessionCsrf } from './browser-session.js';
import { signedInBrowser } from './signed-in.js';

/** What the routes of the sign-in and consent pages (`/api/authorize/*`) share. */

/** The sealed interaction every page call carries. */
export const interaction = z.string().min(1).max(MAX_INTERACTION_LENGTH);
/**
 * The browser session behind a consent or continue call, with its CSRF token in `X-CSRF-Token`:
 * 401 ERR_LOGIN_REQUIRED without a live one (a cross-site request carries no cookie), 403 ERR_CSRF
 * with a missing or wrong token.
 */
export async function signedInWithCsrf(ctx: ServerContext, request: FastifyRequest): Promise<SignedIn> {
  const signedIn = await signedInBrowser(ctx, request);
  if (signedIn === undefined) throw new ServerError('ERR_LOGIN_REQUIRED');
  if (!hasBrowserSessionCsrf(ctx, request, signedIn.session.id)) throw new ServerError('ERR_CSRF');
  return signedIn;
}

/** Details with the browser session's CSRF token, when there is a session. */
export function withCsrf(
  ctx: ServerContext,
  details: AuthorizeDetails,
  signedIn: SignedIn | undefined,
): AuthorizeDetails {
  return signedIn === undefined
    ? details
    : { ...details, csrf: browserSessionCsrf(ctx, signedIn.session.id) };
}

/** A step's answer for the page: the redirect, or the next step with the session's CSRF token. */
export function answer(
  ctx: ServerContext,
  result: StepResult,
  signedIn: SignedIn | undefined,
): AuthorizeAnswer {
  return 'redirect' in result ? result : { details: withCsrf(ctx, result.details, signedIn) };
}

/** Every page answer (errors included: set before anything can throw) is for this request only. */
export const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

import { AUTHORIZE_ROUTE } from '@keycard/protocol';
import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { planUnmet } from '../mfa/requirement.js';
import type { ClientRecord } from '../storage/index.js';
import type { NamedAudiencesDeps } from '../tokens/index.js';
import { type DecideDeps, decide, type SignedIn } from './decide.js';
import { requestedAudiences, requestedScopes } from './grant.js';
import { type InteractionDeps, sealInteraction } from './interaction.js';
import { type IssueCodeDeps, issueAuthorizationCode } from './issue-code.js';
import { refusalRedirect } from './refuse.js';
import { parseAuthorizationRequest } from './request.js';

/** Where the web app's authorization page lives, relative to the issuer (hash routing). */
export const AUTHORIZE_PAGE = `/#${AUTHORIZE_ROUTE.path}`;

/** What `/oauth/authorize` answers: an error page here, or a 303 to the client or to the pages. */
export type AuthorizeOutcome =
  | { kind: 'page-error'; error: 'invalid_request' | 'invalid_client'; description: string }
  | { kind: 'redirect'; location: string };

/** What {@link startAuthorization} reads. */
export type StartAuthorizationDeps = Pick<ServerContext, 'directory' | 'clock'> &
  NamedAudiencesDeps &
  DecideDeps &
  InteractionDeps &
  IssueCodeDeps;

/**
 * Handles an authorization request (`GET` query or `POST` form of `/oauth/authorize`): checks it,
 * then issues a code at once when the browser is signed in recently and strongly enough and
 * nothing needs asking, answers `login_required` / `interaction_required` (a second factor is due)
 * / `consent_required` for `prompt=none` and `unmet_authentication_requirements` when the
 * `acr_values` cannot be met by the signed-in person, and otherwise sends the browser to the
 * sign-in and consent pages with the request sealed into the link.
 *
 * @example
 * ```ts
 * const outcome = await startAuthorization(ctx, new URLSearchParams(query), signedIn, requestInfo(request));
 * ```
 */
export async function startAuthorization(
  ctx: StartAuthorizationDeps,
  params: URLSearchParams,
  signedIn: SignedIn | undefined,
  requestInfo: RequestInfo,
): Promise<AuthorizeOutcome> {
  let client: ClientRecord | undefined;
  const parsed = await parseAuthorizationRequest(params, async (id) => {
    client = await ctx.directory.client(id);
    return client;
  });
  if (parsed.kind === 'page-error') {
    ctx.metrics.authorizations.inc({ result: 'page_error' });
    return { kind: 'page-error', error: parsed.error, description: parsed.description };
  }
  const refuse = (error: string, description: string): AuthorizeOutcome => ({
    kind: 'redirect',
    location: refusalRedirect(ctx, parsed.kind === 'ok' ? parsed.request : parsed, error, description),
  });
  if (parsed.kind === 'redirect-error') return refuse(parsed.error, parsed.description);
  const { request } = parsed;
  // The parser found the client (or it would have answered a page error).
  const known = client as ClientRecord;

  let audiences: string[];
  try {
    audiences = await requestedAudiences(ctx, known, request.resources);
    requestedScopes(known, request.scopes);
  } catch (error) {
    if (!(error instanceof ServerError)) throw error;
    if (error.code === 'ERR_INVALID_TARGET')
      return refuse('invalid_target', 'a resource is unknown or not registered for this client');
    if (error.code === 'ERR_INVALID_SCOPE')
      return refuse('invalid_scope', 'the client is registered for none of the requested scopes');
    throw error;
  }
  // Every code is exchanged for a card for one audience: refused now, before anyone signs in or
  // consents for nothing.
  if (audiences.length === 0)
    return refuse('invalid_target', 'the client is registered for no audience to issue a card for');

  const now = ctx.clock();
  const interaction = { request, audiences, createdAt: now };
  const next = await decide(ctx, { interaction, client: known, signedIn, now });
  if (next.step === 'mfa' && planUnmet(next.plan))
    return refuse(
      'unmet_authentication_requirements',
      'the requested acr_values need a passkey and the person has none',
    );
  if (request.prompt.has('none')) {
    if (next.step === 'login') return refuse('login_required', 'no recent enough sign-in at the front desk');
    // OIDC Core §3.1.2.6: the person would have to act (prove a second factor) to go on.
    if (next.step === 'mfa')
      return refuse(
        'interaction_required',
        'the sign-in at the front desk is not strong enough for this request',
      );
    if (next.step === 'consent') return refuse('consent_required', 'the person has not allowed this yet');
  }
  if (next.step === 'ready' && signedIn !== undefined) {
    const location = await issueAuthorizationCode(ctx, { request, signedIn, grant: next.grant, requestInfo });
    return { kind: 'redirect', location };
  }
  ctx.metrics.authorizations.inc({ result: 'interaction' });
  const sealed = sealInteraction(ctx, request, audiences);
  return {
    kind: 'redirect',
    location: `${ctx.issuer}${AUTHORIZE_PAGE}?${AUTHORIZE_ROUTE.interaction}=${sealed}`,
  };
}

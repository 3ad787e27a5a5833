import { type AuthorizeDetails, toEpochSeconds } from '@keycard/protocol';
import { clientRedirectUriMatches } from '../clients/redirect-uri.js';
import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { planUnmet } from '../mfa/requirement.js';
import type { ClientRecord } from '../storage/index.js';
import { type DecideDeps, decide, type SignedIn } from './decide.js';
import { requestedScopes } from './grant.js';
import { type Interaction, type InteractionDeps, openInteraction } from './interaction.js';
import { type IssueCodeDeps, issueAuthorizationCode } from './issue-code.js';
import { refusalRedirect } from './refuse.js';

/**
 * The steps the sign-in and consent pages drive (`POST /api/authorize/*`), over a sealed
 * interaction: what to show, and "continue as the signed-in person". Sign-in, the second factor
 * and consent have their own modules.
 */

/** An opened interaction and its client as registered now. */
export interface LoadedInteraction {
  interaction: Interaction;
  client: ClientRecord;
}

/** What the pages' steps read. */
export type PagesDeps = Pick<ServerContext, 'directory'> & InteractionDeps & DecideDeps & IssueCodeDeps;

/**
 * Opens a sealed interaction and checks that its client still allows what it asked: the client
 * exists, keeps the code grant, the redirect URI and the audiences the request named. Otherwise
 * (or expired, forged) ERR_INTERACTION_EXPIRED. A request that named no audience is for the
 * client's, as registered now.
 */
export async function loadInteraction(ctx: PagesDeps, sealed: string): Promise<LoadedInteraction> {
  const opened = openInteraction(ctx, sealed);
  const { request, audiences } = opened;
  const client = await ctx.directory.client(request.clientId);
  if (
    client === undefined ||
    !client.grants.includes('authorization_code') ||
    !clientRedirectUriMatches(client, request.redirectUri) ||
    (audiences ?? []).some((a) => !client.audiences.includes(a))
  )
    throw new ServerError('ERR_INTERACTION_EXPIRED');
  return { interaction: { ...opened, audiences: audiences ?? [...client.audiences] }, client };
}

/**
 * What the page shows for an interaction (without `csrf`, which the HTTP layer adds for a browser
 * session): the client, the scopes and doors in question, who is signed in, and the step; for step
 * `mfa` (signed in, but not strongly enough for this request) the factors that can step it up.
 *
 * @example
 * ```ts
 * const details = await authorizeDetails(ctx, loaded, signedIn);
 * ```
 */
export async function authorizeDetails(
  ctx: PagesDeps,
  loaded: LoadedInteraction,
  signedIn: SignedIn | undefined,
): Promise<AuthorizeDetails> {
  const { interaction, client } = loaded;
  const next = await decide(ctx, { interaction, client, signedIn, now: ctx.clock() });
  const scopes =
    next.step === 'login' || next.step === 'mfa'
      ? shownScopes(client, interaction.request.scopes)
      : next.grant.scopes;
  const audiences = [];
  for (const id of interaction.audiences)
    audiences.push({ id, name: (await ctx.directory.audience(id))?.name ?? id });
  return {
    client: { id: client.id, name: client.name, firstParty: client.firstParty },
    scopes,
    audiences,
    user: signedIn === undefined ? null : { id: signedIn.user.id, username: signedIn.user.username },
    step: next.step === 'ready' ? 'continue' : next.step,
    ...(next.step === 'mfa'
      ? { mfa: { methods: [...next.plan.methods], enrol: next.plan.enrol, acr: next.required } }
      : {}),
    ...(interaction.request.loginHint !== undefined ? { loginHint: interaction.request.loginHint } : {}),
    expiresAt: toEpochSeconds(interaction.expiresAt),
  };
}

/**
 * The client's answer when the request asks for a strength the person cannot reach.
 *
 * @example
 * ```ts
 * if (planUnmet(plan)) return { redirect: unmetRedirect(ctx, loaded) };
 * ```
 */
export function unmetRedirect(ctx: PagesDeps, loaded: LoadedInteraction): string {
  return refusalRedirect(
    ctx,
    loaded.interaction.request,
    'unmet_authentication_requirements',
    'the requested acr_values need a passkey and the person has none',
  );
}

/** The requested scopes the client may have; empty when a client changed since the request. */
function shownScopes(client: ClientRecord, asked: readonly string[]): string[] {
  try {
    return requestedScopes(client, asked);
  } catch {
    return [];
  }
}

/** The answer of login, consent and continue: a redirect to the client, or the next step. */
export type StepResult = { redirect: string } | { details: AuthorizeDetails };

/**
 * "Continue as …" and the end of a sign-in: issues the code when nothing else is needed, else
 * returns the next step's details (a second factor, consent). ERR_LOGIN_REQUIRED when a (newer)
 * sign-in is needed. A second factor the person cannot give (a passkey asked of someone who has
 * none) sends the client `unmet_authentication_requirements` (OpenID Connect Core Unmet
 * Authentication Requirements 1.0).
 *
 * @example
 * ```ts
 * const result = await proceed(ctx, loaded, signedIn, requestInfo(request));
 * ```
 */
export async function proceed(
  ctx: PagesDeps,
  loaded: LoadedInteraction,
  signedIn: SignedIn,
  requestInfo: RequestInfo,
): Promise<StepResult> {
  const { interaction, client } = loaded;
  const next = await decide(ctx, { interaction, client, signedIn, now: ctx.clock() });
  if (next.step === 'login') throw new ServerError('ERR_LOGIN_REQUIRED');
  if (next.step === 'mfa' && planUnmet(next.plan)) return { redirect: unmetRedirect(ctx, loaded) };
  if (next.step === 'consent' || next.step === 'mfa')
    return { details: await authorizeDetails(ctx, loaded, signedIn) };
  const redirect = await issueAuthorizationCode(ctx, {
    request: interaction.request,
    signedIn,
    grant: next.grant,
    requestInfo,
  });
  return { redirect };
}

import { LOGOUT_ROUTE } from '@keycard/protocol';
import { MAX_CLIENT_ID_LENGTH } from '../clients/client-rules.js';
import { MAX_REDIRECT_URI_LENGTH, redirectUriMatches } from '../clients/redirect-uri.js';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { type IdTokenHint, verifyIdTokenHint } from './id-token-hint.js';
import { maxSealedLinkLength, openLink, sealLink, WIDEST_JSON_CHAR } from './sealed-link.js';

/**
 * An RP-initiated logout request (OpenID Connect RP-Initiated Logout 1.0 §2) once checked: which
 * client asked, and where the browser goes afterwards. The browser only ever goes back to one of
 * the client's registered `post_logout_redirect_uri`s; a request naming any other URI is refused
 * with an error page, never redirected.
 */
export interface LogoutRequest {
  clientId: string | null;
  /** A registered `post_logout_redirect_uri` of the client, or null (the web app's "signed out" page). */
  postLogoutRedirectUri: string | null;
  /** Returned to the client with the redirect. */
  state: string | null;
}

/** The end-session endpoint's parameters (an empty value counts as absent, RFC 6749 §3.1). */
export interface LogoutParams {
  id_token_hint?: string | undefined;
  client_id?: string | undefined;
  post_logout_redirect_uri?: string | undefined;
  state?: string | undefined;
}

/** A request the endpoint may act on (with the verified hint, if one was sent), or why not. */
export type CheckedLogoutRequest =
  | { ok: true; request: LogoutRequest; hint: IdTokenHint | undefined }
  | { ok: false; message: string };

/** What {@link checkLogoutRequest} reads. */
export type CheckLogoutRequestDeps = Pick<ServerContext, 'keys' | 'issuer' | 'directory'>;

/** The web app's page after a sign-out that does not go back to a client. */
export const SIGNED_OUT_PAGE = `/#${LOGOUT_ROUTE.signedOut}`;
const SEAL_CONTEXT = 'logout-request';

/**
 * Checks the parameters: a hint must be this server's ID token (expired or not) issued to the
 * named client; the client must exist; a `post_logout_redirect_uri` needs a client (named or from
 * the hint) and must be one it registered (exactly; a loopback one on any port, as for redirect URIs).
 *
 * @example
 * ```ts
 * const checked = await checkLogoutRequest(ctx, { id_token_hint, post_logout_redirect_uri, state });
 * if (!checked.ok) return errorPage(checked.message);
 * ```
 */
export async function checkLogoutRequest(
  ctx: CheckLogoutRequestDeps,
  params: LogoutParams,
): Promise<CheckedLogoutRequest> {
  const given = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const hintToken = given(params.id_token_hint);
  let clientId = given(params.client_id);
  const uri = given(params.post_logout_redirect_uri);
  let hint: IdTokenHint | undefined;
  if (hintToken !== undefined) {
    hint = await verifyIdTokenHint(ctx, hintToken);
    if (hint === undefined)
      return { ok: false, message: 'The id_token_hint is not an ID token of this server.' };
    if (clientId !== undefined && !hint.audiences.includes(clientId)) {
      return { ok: false, message: 'The id_token_hint was issued to another client.' };
    }
    if (clientId === undefined && hint.audiences.length === 1) clientId = hint.audiences[0];
  }
  const client = clientId === undefined ? undefined : await ctx.directory.client(clientId);
  if (clientId !== undefined && client === undefined) return { ok: false, message: 'The client is unknown.' };
  if (uri !== undefined) {
    if (client === undefined) {
      return { ok: false, message: 'A post_logout_redirect_uri needs a client_id or an id_token_hint.' };
    }
    if (!redirectUriMatches(client.postLogoutRedirectUris, uri)) {
      return { ok: false, message: 'The post_logout_redirect_uri is not registered for this client.' };
    }
  }
  return {
    ok: true,
    hint,
    request: {
      clientId: client?.id ?? null,
      postLogoutRedirectUri: uri ?? null,
      state: uri === undefined ? null : (given(params.state) ?? null),
    },
  };
}

/**
 * Where the browser goes after the sign-out page: back to the client (with its `state`) when it
 * gave a registered URI, else the web app's "signed out" page (or its front desk when the user
 * chose to stay signed in).
 *
 * @example
 * ```ts
 * reply.redirect(logoutRedirect(request, true), 303);
 * ```
 */
export function logoutRedirect(request: LogoutRequest, signedOut: boolean): string {
  const uri = request.postLogoutRedirectUri;
  if (uri === null) return signedOut ? SIGNED_OUT_PAGE : '/#/';
  if (request.state === null) return uri;
  const separator = !uri.includes('?') ? '?' : uri.endsWith('?') ? '' : '&';
  return `${uri}${separator}${new URLSearchParams({ state: request.state })}`;
}

/** Longest `state` the end-session endpoint takes. */
export const MAX_LOGOUT_STATE_LENGTH = 1024;

// Each string at its limit, in the characters its rules allow that take most room in JSON.
const LARGEST: LogoutRequest = {
  clientId: 'x'.repeat(MAX_CLIENT_ID_LENGTH),
  // Registered URIs are canonical (ASCII, `"` escaped); a loopback one may add any port.
  postLogoutRedirectUri: '\\'.repeat(MAX_REDIRECT_URI_LENGTH + ':65535'.length),
  state: WIDEST_JSON_CHAR.repeat(MAX_LOGOUT_STATE_LENGTH),
};

/** Longest sealed sign-out request: the one of the largest request the end-session endpoint takes. */
export const MAX_LOGOUT_LINK_LENGTH = maxSealedLinkLength(LARGEST);

/**
 * Seals a checked request for the confirmation page (`/#/logout?l=…`, see {@link sealLink}): the
 * page cannot change where it leads. Valid for `authorize.interactionTtl`.
 *
 * @example
 * ```ts
 * const l = sealLogoutRequest(ctx, checked.request);
 * ```
 */
export function sealLogoutRequest(
  ctx: Pick<ServerContext, 'sealer' | 'clock' | 'config'>,
  request: LogoutRequest,
): string {
  const payload: LogoutRequest = {
    clientId: request.clientId,
    postLogoutRedirectUri: request.postLogoutRedirectUri,
    state: request.state,
  };
  return sealLink(ctx, SEAL_CONTEXT, payload, ctx.config.authorize.interactionTtl);
}

/**
 * Opens a sealed request; ERR_LOGOUT_EXPIRED when it is not one (tampered, another purpose's
 * sealed value, another master key, too long) or its time is over.
 *
 * @example
 * ```ts
 * const { request, expiresAt } = openLogoutRequest(ctx, body.logout);
 * ```
 */
export function openLogoutRequest(
  ctx: Pick<ServerContext, 'sealer' | 'clock'>,
  sealed: string,
): { request: LogoutRequest; expiresAt: number } {
  const opened = openLink(ctx, SEAL_CONTEXT, sealed, MAX_LOGOUT_LINK_LENGTH);
  const v = opened?.payload as Record<string, unknown> | null | undefined;
  const nullableString = (x: unknown): x is string | null => x === null || typeof x === 'string';
  if (
    opened === undefined ||
    typeof v !== 'object' ||
    v === null ||
    !nullableString(v['clientId']) ||
    !nullableString(v['postLogoutRedirectUri']) ||
    !nullableString(v['state'])
  ) {
    throw new ServerError('ERR_LOGOUT_EXPIRED');
  }
  return {
    request: {
      clientId: v['clientId'],
      postLogoutRedirectUri: v['postLogoutRedirectUri'],
      state: v['state'],
    },
    expiresAt: opened.expiresAt,
  };
}

import type { JWTClaims } from '@keycard/jwt';
import { ACR, type AuthorizationScheme, parseAuthorization } from '@keycard/protocol';
import type { FastifyRequest } from 'fastify';
import { API_AUDIENCE, type ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { mfaRequiredByRoles } from '../mfa/factors.js';
import { stepUpNeed } from '../mfa/recent-auth.js';
import { verifyAccessToken } from '../tokens/index.js';
import { resourceRequestProof } from './dpop.js';

/** A verified caller of the server's own API. */
export interface Caller {
  userId: string;
  sessionId: string;
  scopes: string[];
  claims: JWTClaims;
}

/**
 * The card a request presents: `Authorization: Bearer <card>` or `Authorization: DPoP <card>`, as
 * `parseAuthorization` (@keycard/protocol) reads it; anything else presents no card.
 */
export function presentedCard(
  request: FastifyRequest,
): { scheme: AuthorizationScheme; token: string } | undefined {
  const parsed = parseAuthorization(request.headers.authorization);
  return 'token' in parsed ? parsed : undefined;
}

/** The card of a request (either scheme), if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return presentedCard(request)?.token;
}

/**
 * A user's card as the request presents it: signature, issuer, `typ: at+jwt`, expiry and
 * revocation checked, and the audience when one is named (then `aud` must be exactly that audience:
 * one card, one door). A DPoP-bound card (`cnf.jkt`) is accepted only as `Authorization: DPoP` with
 * a proof of its key for this request (RFC 9449 §7); sent as Bearer it is refused, as is the DPoP
 * scheme for an unbound card. Service cards (no `sid`) are refused.
 *
 * @example
 * ```ts
 * const caller = await verifyUserCard(ctx, request, { audience: 'keycard' });
 * ```
 */
export async function verifyUserCard(
  ctx: ServerContext,
  request: FastifyRequest,
  opts: { audience?: string } = {},
): Promise<Caller> {
  const card = presentedCard(request);
  if (card === undefined) throw new ServerError('ERR_UNAUTHENTICATED');
  const claims = await verifyAccessToken(ctx, card.token, opts);
  if (opts.audience !== undefined && claims.aud !== opts.audience) {
    throw new ServerError('ERR_INVALID_TOKEN', {
      message: `A card for the ${opts.audience} API is required`,
    });
  }
  const jkt = boundKey(claims);
  if (jkt !== undefined && card.scheme !== 'DPoP') {
    throw new ServerError('ERR_INVALID_TOKEN', {
      message: 'A DPoP-bound card must be sent with the DPoP scheme',
    });
  }
  if (jkt === undefined && card.scheme === 'DPoP') {
    throw new ServerError('ERR_INVALID_TOKEN', { message: 'This card is not DPoP-bound: send it as Bearer' });
  }
  if (jkt !== undefined) await resourceRequestProof(ctx, request, card.token, jkt);
  if (typeof claims.sid !== 'string' || typeof claims.sub !== 'string') {
    throw new ServerError('ERR_INVALID_TOKEN', { message: 'A user token is required' });
  }
  const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(' ').filter(Boolean) : [];
  return { userId: claims.sub, sessionId: claims.sid, scopes, claims };
}

/**
 * Authenticates a user's card for `/api/*`: {@link verifyUserCard} for the server's own API
 * audience and that audience alone (`aud` exactly `keycard`), carrying `scope` when one is required.
 * With `firstParty`, the card must also have been issued to a first-party client (its `client_id`
 * names a client registered `firstParty`), else 403 ERR_FORBIDDEN: the calls that change how the
 * account signs in or is recovered (factors, password, address) are the account page's, and an
 * admin may well give a third-party app the keycard audience for reading `/api/me`.
 *
 * @example
 * ```ts
 * const caller = await authenticate(ctx, request, { scope: 'admin' });
 * const owner = await authenticate(ctx, request, { firstParty: true });
 * ```
 */
export async function authenticate(
  ctx: ServerContext,
  request: FastifyRequest,
  opts: { scope?: string; firstParty?: boolean } = {},
): Promise<Caller> {
  const caller = await verifyUserCard(ctx, request, { audience: API_AUDIENCE });
  if (opts.scope !== undefined && !caller.scopes.includes(opts.scope))
    throw new ServerError('ERR_INSUFFICIENT_SCOPE');
  if (opts.firstParty === true) await requireFirstPartyCard(ctx, caller);
  return caller;
}

/** Refuses (403 ERR_FORBIDDEN) a card whose client is not, or no longer, a first-party client. */
async function requireFirstPartyCard(ctx: Pick<ServerContext, 'directory'>, caller: Caller): Promise<void> {
  const clientId = caller.claims['client_id'];
  const client = typeof clientId === 'string' ? await ctx.directory.client(clientId) : undefined;
  if (client?.firstParty !== true)
    throw new ServerError('ERR_FORBIDDEN', {
      message: 'Only the account page (a first-party client) may make this call',
    });
}

/** `cnf.jkt` of a card, when it is bound to a key. */
export function boundKey(claims: JWTClaims): string | undefined {
  const cnf = claims['cnf'];
  if (cnf === undefined) return undefined;
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
  // A cnf we cannot honour (another confirmation method) is refused, never ignored.
  if (typeof jkt !== 'string' || jkt === '') throw new ServerError('ERR_INVALID_TOKEN');
  return jkt;
}

/**
 * Refuses a card whose sign-in is not recent: its `auth_time` older than `mfa.recentAuthMaxAge`
 * (or missing) — and, with `acr`, a card whose `acr` does not reach it — is 401
 * ERR_STEP_UP_REQUIRED, answered with an RFC 9470 challenge (`max_age`, `acr_values`) in the
 * scheme the card came in. The person signs in again (the web app: the code flow with
 * `max_age=0`) and retries with the new card.
 *
 * @example
 * ```ts
 * const caller = await authenticate(ctx, request);
 * requireRecentAuth(ctx, caller);
 * ```
 */
export function requireRecentAuth(
  ctx: Pick<ServerContext, 'clock' | 'config'>,
  caller: Caller,
  opts: { acr?: string | undefined } = {},
): void {
  const need = stepUpNeed(caller.claims, {
    now: ctx.clock(),
    maxAgeSeconds: ctx.config.mfa.recentAuthMaxAge,
    leewaySeconds: ctx.config.tokens.leeway,
    acr: opts.acr,
  });
  if (need !== undefined) throw new ServerError('ERR_STEP_UP_REQUIRED', { stepUp: need });
}

/**
 * What an admin change asks of the admin's card: a recent sign-in ({@link requireRecentAuth}) and,
 * when one of the admin's roles requires a second factor, a sign-in with one (`acr` at least
 * `ACR.mfa`, else ERR_STEP_UP_REQUIRED with `acr_values`). The roles are read from storage, not
 * from the card, so a role that starts requiring a factor applies at once.
 *
 * @example
 * ```ts
 * if (caller.userId !== session.userId) await requireAdminStepUp(ctx, caller);
 * ```
 */
export async function requireAdminStepUp(ctx: ServerContext, caller: Caller): Promise<void> {
  const user = await ctx.storage.users.getById(caller.userId);
  const mfa = user !== undefined && (await mfaRequiredByRoles(ctx, user.roles));
  requireRecentAuth(ctx, caller, mfa ? { acr: ACR.mfa } : {});
}

/**
 * Authenticates an admin API call that changes something (every POST, PUT, PATCH and DELETE under
 * `/api/admin/`): a card with scope `admin` ({@link authenticate}) that passes
 * {@link requireAdminStepUp}. Reads go through {@link authenticate} alone.
 *
 * @example
 * ```ts
 * const caller = await authenticateAdminChange(ctx, request);
 * ```
 */
export async function authenticateAdminChange(ctx: ServerContext, request: FastifyRequest): Promise<Caller> {
  const caller = await authenticate(ctx, request, { scope: 'admin' });
  await requireAdminStepUp(ctx, caller);
  return caller;
}

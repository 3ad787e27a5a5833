import type { JWTClaims } from '@keycard/jwt';
import { type AuthorizationScheme, parseAuthorization } from '@keycard/protocol';
import type { FastifyRequest } from 'fastify';
import { API_AUDIENCE, type ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
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
 *
 * @example
 * ```ts
 * const caller = await authenticate(ctx, request, { scope: 'admin' });
 * ```
 */
export async function authenticate(
  ctx: ServerContext,
  request: FastifyRequest,
  opts: { scope?: string } = {},
): Promise<Caller> {
  const caller = await verifyUserCard(ctx, request, { audience: API_AUDIENCE });
  if (opts.scope !== undefined && !caller.scopes.includes(opts.scope))
    throw new ServerError('ERR_INSUFFICIENT_SCOPE');
  return caller;
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

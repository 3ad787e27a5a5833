import type { JWTClaims } from '@keycard/jwt';
import type { FastifyRequest } from 'fastify';
import { API_AUDIENCE, type ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { verifyAccessToken } from '../tokens/index.js';

/** A verified caller of the server's own API. */
export interface Caller {
  userId: string;
  sessionId: string;
  scopes: string[];
  claims: JWTClaims;
}

/** The Bearer token of a request, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  return match?.[1];
}

/**
 * Authenticates a user's Bearer token for `/api/*`: issued by this server for its own API
 * audience and that audience alone (`aud` exactly `keycard`), not revoked, from a user session (service tokens have no `sid`), and carrying
 * `scope` when one is required.
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
  const token = bearerToken(request);
  if (token === undefined) throw new ServerError('ERR_UNAUTHENTICATED');
  const claims = await verifyAccessToken(ctx, token, { audience: API_AUDIENCE });
  // Only a card for the server's own API, never one that also opens a door (one card, one door).
  if (claims.aud !== API_AUDIENCE) {
    throw new ServerError('ERR_INVALID_TOKEN', { message: `A card for the ${API_AUDIENCE} API is required` });
  }
  if (typeof claims.sid !== 'string' || typeof claims.sub !== 'string') {
    throw new ServerError('ERR_INVALID_TOKEN', { message: 'A user token is required' });
  }
  const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(' ').filter(Boolean) : [];
  if (opts.scope !== undefined && !scopes.includes(opts.scope))
    throw new ServerError('ERR_INSUFFICIENT_SCOPE');
  return { userId: claims.sub, sessionId: claims.sid, scopes, claims };
}

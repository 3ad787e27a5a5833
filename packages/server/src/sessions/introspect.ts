import type { ServerContext } from '../context.js';
import { sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';
import { type VerifyAccessTokenDeps, verifyAccessToken } from '../tokens/index.js';

/** What {@link introspectToken} reads: an access token is verified, a refresh token looked up. */
export type IntrospectTokenDeps = VerifyAccessTokenDeps & RefreshLookupDeps;
type RefreshLookupDeps = Pick<ServerContext, 'storage' | 'clock' | 'issuer'>;

/** RFC 7662 answer. */
export type Introspection = { active: false } | ({ active: true } & Record<string, unknown>);

/**
 * RFC 7662 introspection of an access token (signature, expiry, revocation) or a refresh
 * token (unused, unexpired, session live), on behalf of an authenticated `client`. A client
 * learns only about tokens meant for it: an access token whose audience intersects the client's
 * registered audiences or that was issued to the client itself, a refresh token of its own
 * session. Anything else is `{ active: false }`, exactly as for an unknown token.
 *
 * @example
 * ```ts
 * const result = await introspectToken(ctx, token, { client });
 * ```
 */
export async function introspectToken(
  ctx: IntrospectTokenDeps,
  token: string,
  opts: { client: ClientRecord; hint?: string | undefined },
): Promise<Introspection> {
  // RFC 7662 §2.1: the hint only orders the search; a wrong hint falls back to the other type.
  const order = opts.hint === 'refresh_token' ? [asRefresh, asAccess] : [asAccess, asRefresh];
  for (const attempt of order) {
    const found = await attempt(ctx, token, opts.client);
    if (found !== undefined) return found;
  }
  return { active: false };
}

/** The answer for an access token, or undefined when `token` is not a valid one of ours. */
async function asAccess(
  ctx: VerifyAccessTokenDeps,
  token: string,
  client: ClientRecord,
): Promise<Introspection | undefined> {
  if (token.split('.').length !== 3) return undefined;
  let claims: Awaited<ReturnType<typeof verifyAccessToken>>;
  try {
    claims = await verifyAccessToken(ctx, token);
  } catch (error) {
    if (!(error instanceof ServerError)) throw error;
    return undefined;
  }
  if (!meantFor(client, claims.aud, claims['client_id'])) return { active: false };
  return {
    active: true,
    // RFC 9449 §6.2: a key-bound card is a DPoP token, and its confirmation is shown.
    token_type: claims['cnf'] !== undefined ? 'DPoP' : 'Bearer',
    ...(claims['cnf'] !== undefined ? { cnf: claims['cnf'] } : {}),
    ...(claims['act'] !== undefined ? { act: claims['act'] } : {}),
    iss: claims.iss,
    sub: claims.sub,
    aud: claims.aud,
    scope: claims['scope'],
    exp: claims.exp,
    iat: claims.iat,
    nbf: claims.nbf,
    jti: claims.jti,
    client_id: claims['client_id'],
    ...(claims['sid'] !== undefined ? { sid: claims['sid'], username: claims['username'] } : {}),
  };
}

/** The answer for a refresh token, or undefined when no refresh token has this value. */
async function asRefresh(
  ctx: RefreshLookupDeps,
  token: string,
  client: ClientRecord,
): Promise<Introspection | undefined> {
  const record = await ctx.storage.refreshTokens.get(sha256Hex(token));
  if (record === undefined) return undefined;
  const now = ctx.clock();
  if (record.usedAt !== null || record.expiresAt <= now) return { active: false };
  const session = await ctx.storage.sessions.get(record.sessionId);
  if (session === undefined || session.revokedAt !== null || session.expiresAt <= now)
    return { active: false };
  if (session.clientId !== client.id) return { active: false };
  return {
    active: true,
    token_type: 'refresh_token',
    iss: ctx.issuer,
    sub: session.userId,
    client_id: session.clientId,
    scope: session.scopes.join(' '),
    sid: session.id,
    iat: Math.floor(record.createdAt / 1000),
    exp: Math.floor(record.expiresAt / 1000),
  };
}

/** Whether `client` may see an access token: one of its audiences, or issued to it. */
function meantFor(client: ClientRecord, aud: unknown, clientId: unknown): boolean {
  if (clientId === client.id) return true;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  return audiences.some((a) => client.audiences.includes(a));
}

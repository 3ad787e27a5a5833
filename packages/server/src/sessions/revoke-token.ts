import type { RequestInfo, RevocationPublishDeps, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { publishRevocation } from '../revocations/index.js';
import type { ClientRecord } from '../storage/index.js';
import { type VerifyAccessTokenDeps, verifyAccessToken } from '../tokens/index.js';
import { type RefreshTokenSessionDeps, refreshTokenSession } from './refresh-token-format.js';
import { type RevokeSessionDeps, revokeSession } from './revoke-session.js';

/** What {@link revokeToken} reads: a refresh token revokes its session, an access token is verified. */
export type RevokeTokenDeps = RevokeRefreshDeps & RevokeAccessDeps;
type RevokeRefreshDeps = RefreshTokenSessionDeps & RevokeSessionDeps;
type RevokeAccessDeps = VerifyAccessTokenDeps &
  Pick<ServerContext, 'clock' | 'config' | 'audit'> &
  RevocationPublishDeps;

const looksLikeJwt = (token: string) => token.split('.').length === 3;

/**
 * RFC 7009 revocation. A refresh token revokes its whole session; an access token gets a
 * `token` revocation event (by `jti`) that lives until the token would have expired. Tokens
 * that are unknown, invalid or issued to another client are ignored: the answer is the same.
 *
 * @example
 * ```ts
 * await revokeToken(ctx, { token, hint: 'refresh_token', client, request });
 * ```
 */
export async function revokeToken(
  ctx: RevokeTokenDeps,
  input: { token: string; hint?: string | undefined; client: ClientRecord; request: RequestInfo },
): Promise<void> {
  const { token, client, request } = input;
  const accessFirst =
    input.hint === 'access_token' || (input.hint !== 'refresh_token' && looksLikeJwt(token));
  const attempts = accessFirst ? [revokeAccess, revokeRefresh] : [revokeRefresh, revokeAccess];
  for (const attempt of attempts) if (await attempt(ctx, token, client, request)) return;
}

async function revokeRefresh(
  ctx: RevokeRefreshDeps,
  token: string,
  client: ClientRecord,
  request: RequestInfo,
) {
  const sid = await refreshTokenSession(ctx, token);
  if (sid === undefined) return false;
  const session = await ctx.storage.sessions.get(sid);
  if (session === undefined || session.clientId !== client.id) return true;
  await revokeSession(ctx, session.id, 'revoke', { actor: client.id, request });
  return true;
}

async function revokeAccess(
  ctx: RevokeAccessDeps,
  token: string,
  client: ClientRecord,
  request: RequestInfo,
) {
  if (!looksLikeJwt(token)) return false;
  let claims: Awaited<ReturnType<typeof verifyAccessToken>>;
  try {
    claims = await verifyAccessToken(ctx, token);
  } catch (error) {
    if (error instanceof ServerError) return false;
    throw error;
  }
  if (claims['client_id'] !== client.id || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
    return true;
  }
  const now = ctx.clock();
  await publishRevocation(ctx, {
    type: 'token',
    jti: claims.jti,
    at: now,
    expiresAt: claims.exp * 1000 + ctx.config.tokens.leeway * 1000,
  });
  await ctx.audit.record('token.revoke', {
    actor: client.id,
    subject: typeof claims.sub === 'string' ? claims.sub : null,
    request,
    detail: { jti: claims.jti },
  });
  return true;
}

import type { RequestInfo, ServerContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import { publishSessionRevocations } from '../revocations/index.js';
import type { ClientRecord, RefreshTokenRecord, SessionRecord } from '../storage/index.js';
import { issueAccessToken, resolveGrant } from '../tokens/index.js';
import { publicUser, refreshTokenRecord, successorSealContext, type TokenSet } from './token-set.js';

/**
 * The refresh_token grant with rotation and reuse detection. The token is consumed atomically;
 * a duplicate presentation within the grace window (concurrent tabs, retried requests) gets the
 * same successor and a fresh access token; a rotated-out token presented after the window
 * revokes the whole session (OAuth 2.0 Security BCP §4.14).
 *
 * @example
 * ```ts
 * const tokens = await refreshSession(ctx, { refreshToken, client, request });
 * ```
 */
export async function refreshSession(
  ctx: ServerContext,
  input: { refreshToken: string; client: ClientRecord; request: RequestInfo },
): Promise<TokenSet> {
  const { client, request } = input;
  if (!client.grants.includes('refresh_token')) throw new ServerError('ERR_UNAUTHORIZED_CLIENT');
  await ctx.throttle.hitIp('token', request.ip);
  const hash = sha256Hex(input.refreshToken);
  const record = await ctx.storage.refreshTokens.get(hash);
  if (record === undefined) throw new ServerError('ERR_INVALID_GRANT');
  const session = await ctx.storage.sessions.get(record.sessionId);
  if (session === undefined || session.revokedAt !== null || session.clientId !== client.id) {
    throw new ServerError('ERR_INVALID_GRANT');
  }
  const now = ctx.clock();
  if (record.usedAt !== null) return presentedAgain(ctx, record, session, client, request);
  if (record.expiresAt <= now || session.expiresAt <= now) throw new ServerError('ERR_INVALID_GRANT');

  const successor = randomToken(32);
  const successorHash = sha256Hex(successor);
  const sealed =
    ctx.config.sessions.refreshGraceSeconds > 0
      ? ctx.sealer.seal(successor, successorSealContext(hash))
      : null;
  // The successor is stored by the same atomic consume: one commit per rotation.
  const result = await ctx.storage.refreshTokens.consume(hash, now, {
    hash: successorHash,
    sealed,
    record: refreshTokenRecord(ctx, session, now, successorHash),
  });
  if (result.status === 'not_found') throw new ServerError('ERR_INVALID_GRANT');
  if (result.status === 'already_used') return presentedAgain(ctx, result.token, session, client, request);

  // lastUsedAt is for display: a write per refresh would cost more than it tells.
  if (now - session.lastUsedAt >= 60_000) await ctx.storage.sessions.touch(session.id, now);
  const tokens = await accessFor(ctx, session, client, successor);
  ctx.metrics.refreshes.inc();
  await ctx.audit.record('token.refresh', {
    actor: tokens.user.id,
    subject: session.id,
    request,
    detail: { clientId: client.id },
  });
  return tokens;
}

/** A token that was already rotated out: the grace window's duplicate, or reuse. */
async function presentedAgain(
  ctx: ServerContext,
  record: RefreshTokenRecord,
  session: SessionRecord,
  client: ClientRecord,
  request: RequestInfo,
): Promise<TokenSet> {
  const now = ctx.clock();
  const graceMs = ctx.config.sessions.refreshGraceSeconds * 1000;
  if (
    graceMs > 0 &&
    record.usedAt !== null &&
    now - record.usedAt <= graceMs &&
    record.successorSealed !== null
  ) {
    const successor = ctx.sealer.open(record.successorSealed, successorSealContext(record.hash));
    ctx.metrics.refreshes.inc();
    return accessFor(ctx, session, client, successor);
  }
  const revoked = await ctx.storage.sessions.revoke(session.id, now, 'reuse');
  await ctx.storage.refreshTokens.deleteBySession(session.id);
  if (revoked) {
    await publishSessionRevocations(ctx, [session.id]);
    ctx.metrics.reuseDetected.inc();
    await ctx.audit.record('token.reuse_detected', {
      actor: session.userId,
      subject: session.id,
      request,
      detail: { clientId: client.id },
    });
    ctx.logger.warn({ sid: session.id }, 'refresh token reuse detected: session revoked');
  }
  throw new ServerError('ERR_INVALID_GRANT');
}

/** A fresh access token for the session, scopes re-checked against the user's current roles. */
async function accessFor(
  ctx: ServerContext,
  session: SessionRecord,
  client: ClientRecord,
  refreshToken: string,
): Promise<TokenSet> {
  const user = await ctx.storage.users.getById(session.userId);
  if (user === undefined || user.disabled) throw new ServerError('ERR_INVALID_GRANT');
  const { scopes } = await resolveGrant(ctx, {
    client,
    scope: session.scopes.join(' '),
    audience: session.audiences,
    roles: user.roles,
  });
  const access = await issueAccessToken(ctx, {
    grant: 'refresh_token',
    clientId: client.id,
    audiences: session.audiences,
    scopes,
    user,
    sessionId: session.id,
  });
  return {
    accessToken: access.accessToken,
    tokenType: 'Bearer',
    expiresIn: access.expiresIn,
    refreshToken,
    scope: scopes.join(' '),
    sessionId: session.id,
    user: publicUser(user),
  };
}

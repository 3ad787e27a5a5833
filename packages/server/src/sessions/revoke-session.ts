import type { RequestInfo, RevocationPublishDeps, ServerContext } from '../context.js';
import { publishSessionRevocations } from '../revocations/index.js';
import type { SessionRecord } from '../storage/index.js';
import { type RefreshTokenSessionDeps, refreshTokenSession } from './refresh-token-format.js';

/** What {@link revokeSession} and {@link revokeUserSessions} read; each publishes `session` events. */
export type RevokeSessionDeps = Pick<ServerContext, 'storage' | 'clock' | 'audit'> & RevocationPublishDeps;
/** What {@link signOutWithRefreshToken} reads. */
export type SignOutWithRefreshTokenDeps = RefreshTokenSessionDeps & RevokeSessionDeps;

/**
 * Revokes one session: marks it, deletes its refresh tokens, publishes a `session` event.
 * Idempotent; returns whether this call revoked it.
 *
 * @example
 * ```ts
 * await revokeSession(ctx, sid, 'logout', { actor: userId, request });
 * ```
 */
export async function revokeSession(
  ctx: RevokeSessionDeps,
  sessionId: string,
  reason: string,
  opts: { actor: string | null; request: RequestInfo },
): Promise<boolean> {
  const revoked = await ctx.storage.sessions.revoke(sessionId, ctx.clock(), reason);
  await ctx.storage.refreshTokens.deleteBySession(sessionId);
  if (!revoked) return false;
  await publishSessionRevocations(ctx, [sessionId]);
  await ctx.audit.record('session.revoke', {
    actor: opts.actor,
    subject: sessionId,
    request: opts.request,
    detail: { reason },
  });
  return true;
}

/**
 * Sign-out with a refresh token: revokes its session (a rotated-out token's too, also once its row
 * is pruned). Unknown tokens are ignored (sign-out is idempotent and must not reveal which tokens
 * exist). Returns the session when the token named one that was live until this call (so the
 * caller knows whose sign-out it was), else undefined.
 *
 * @example
 * ```ts
 * const ended = await signOutWithRefreshToken(ctx, refreshToken, { request });
 * if (ended?.userId === browserSession.userId) await endBrowserSession(...);
 * ```
 */
export async function signOutWithRefreshToken(
  ctx: SignOutWithRefreshTokenDeps,
  refreshToken: string,
  opts: { clientId?: string; request: RequestInfo },
): Promise<SessionRecord | undefined> {
  const sid = await refreshTokenSession(ctx, refreshToken);
  if (sid === undefined) return undefined;
  const session = await ctx.storage.sessions.get(sid);
  if (session === undefined) return undefined;
  if (opts.clientId !== undefined && session.clientId !== opts.clientId) return undefined;
  const revoked = await revokeSession(ctx, session.id, 'logout', {
    actor: session.userId,
    request: opts.request,
  });
  return revoked && session.expiresAt > ctx.clock() ? session : undefined;
}

/**
 * Revokes every live session of a user (sign out everywhere) and voids their pending
 * address-change links.
 *
 * @example
 * ```ts
 * await revokeUserSessions(ctx, userId, 'logout_all', { actor: userId, request });
 * ```
 */
export async function revokeUserSessions(
  ctx: RevokeSessionDeps,
  userId: string,
  reason: string,
  opts: { actor: string | null; request: RequestInfo; exceptSessionId?: string },
): Promise<string[]> {
  const revoked = await ctx.storage.sessions.revokeByUser(userId, ctx.clock(), reason, opts.exceptSessionId);
  for (const sid of revoked) await ctx.storage.refreshTokens.deleteBySession(sid);
  await publishSessionRevocations(ctx, revoked);
  // Signing out everywhere is what a person does who fears someone else is signed in: a change of
  // address that someone asked for must not survive it.
  await ctx.storage.emailTokens.deleteByUser(userId, 'email_verify');
  if (revoked.length > 0) {
    await ctx.audit.record('session.revoke', {
      actor: opts.actor,
      subject: userId,
      request: opts.request,
      detail: { reason, sessions: revoked.length },
    });
  }
  return revoked;
}

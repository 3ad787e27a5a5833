import { type EndBrowserSessionDeps, endUserBrowserSessions } from '../authorize/end-browser-session.js';
import type { RequestInfo, RevocationPublishDeps, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { checkPasswordPolicy } from '../passwords/index.js';
import { publishSessionRevocations } from '../revocations/index.js';
import type { UserRecord } from '../storage/index.js';

/** What {@link changePassword} reads; it publishes a revocation per revoked session. */
export type ChangePasswordDeps = Pick<
  ServerContext,
  'storage' | 'clock' | 'config' | 'passwords' | 'throttle' | 'audit'
> &
  RevocationPublishDeps &
  EndBrowserSessionDeps;

/**
 * Sets a new password and revokes every other session of the user (each gets a `session`
 * revocation event) and ends the user's browser sessions (single sign-on to the apps; those apps
 * are told by back-channel logout), except the one the kept session came from. With
 * `currentPassword` it is checked first (self-service).
 *
 * @example
 * ```ts
 * await changePassword(ctx, { userId, newPassword, currentPassword, keepSessionId: sid }, request);
 * ```
 */
export async function changePassword(
  ctx: ChangePasswordDeps,
  input: {
    userId: string;
    newPassword: string;
    currentPassword?: string;
    keepSessionId?: string;
    actor?: string;
  },
  request: RequestInfo,
): Promise<void> {
  const user = await ctx.storage.users.getById(input.userId);
  if (user === undefined) throw new ServerError('ERR_USER_NOT_FOUND');
  if (input.currentPassword !== undefined) {
    const ticket = await ctx.throttle.admitSignIn(user.usernameKey, request.ip);
    let ok: boolean;
    try {
      if (ticket.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, ticket.delayMs));
      ok = await ctx.passwords.verify(user.passwordHash, input.currentPassword);
    } catch (error) {
      await ctx.throttle.settleSignIn(ticket, 'aborted');
      throw error;
    }
    // A right current password here is not a sign-in: give the hits back, mark nothing familiar.
    await ctx.throttle.settleSignIn(ticket, ok ? 'aborted' : 'failure');
    if (!ok) throw new ServerError('ERR_INVALID_CREDENTIALS');
  }
  const revoked = await replacePassword(ctx, user, input.newPassword, {
    reason: 'password_change',
    actor: input.actor ?? user.id,
    request,
    keepSessionId: input.keepSessionId,
  });
  await ctx.audit.record('user.password_change', {
    actor: input.actor ?? user.id,
    subject: user.id,
    request,
    detail: { revokedSessions: revoked },
  });
}

/**
 * The part of a password change every path shares (self-service, admin, reset by mail): checks the
 * policy, stores the new hash, ends the user's browser sessions and revokes their sessions (each
 * with a `session` revocation event), sparing only `keepSessionId` and the browser session it came
 * from, and voids the user's pending address-change links. Returns how many sessions it revoked;
 * the caller audits.
 *
 * @example
 * ```ts
 * await replacePassword(ctx, user, newPassword, { reason: 'password_reset', actor: user.id, request });
 * ```
 */
export async function replacePassword(
  ctx: ChangePasswordDeps,
  user: UserRecord,
  newPassword: string,
  opts: { reason: string; actor: string | null; request: RequestInfo; keepSessionId?: string | undefined },
): Promise<number> {
  checkPasswordPolicy(newPassword, ctx.config.passwords);
  const now = ctx.clock();
  await ctx.storage.users.update(user.id, {
    passwordHash: await ctx.passwords.hash(newPassword),
    updatedAt: now,
  });
  const kept =
    opts.keepSessionId === undefined ? undefined : await ctx.storage.sessions.get(opts.keepSessionId);
  await endUserBrowserSessions(ctx, user.id, opts.reason, {
    actor: opts.actor,
    request: opts.request,
    keep: kept?.userId === user.id ? kept.browserSessionId : undefined,
  });
  const revoked = await ctx.storage.sessions.revokeByUser(user.id, now, opts.reason, opts.keepSessionId);
  for (const sid of revoked) await ctx.storage.refreshTokens.deleteBySession(sid);
  await publishSessionRevocations(ctx, revoked);
  // A pending change of address may be an intruder's, asked for before the password changed: its
  // link must not hand them the address the reset links go to.
  await ctx.storage.emailTokens.deleteByUser(user.id, 'email_verify');
  return revoked.length;
}

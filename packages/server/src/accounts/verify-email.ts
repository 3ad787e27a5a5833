import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { emailChanged } from '../mail/index.js';
import { StorageConflictError, type UserRecord } from '../storage/index.js';
import { emailKey } from './email-key.js';
import { consumeEmailToken } from './email-token.js';
import { assertMailConfigured, hitEmailIp } from './limits.js';

/** What {@link verifyEmailToken} reads. */
export type VerifyEmailDeps = Pick<
  ServerContext,
  'config' | 'storage' | 'clock' | 'coordinator' | 'mailer' | 'audit'
>;

/**
 * Uses a mailed verification link once. The link names the address it was mailed to: when the
 * account holds that address, it becomes verified (sign-up); when the account asked to change to
 * it, it replaces the old one, verified, the reset links mailed to the old address stop working,
 * and the old address (when it was verified) is mailed a notice of the change. An address another
 * account holds unverified goes to the account that proved it (an unproven claim never blocks the
 * mailbox's owner); one another account has verified meanwhile stays theirs. A disabled account, like a used or expired link, gets ERR_EMAIL_TOKEN_INVALID.
 *
 * @example
 * ```ts
 * await verifyEmailToken(ctx, body.token, requestInfo(request));
 * ```
 */
export async function verifyEmailToken(
  ctx: VerifyEmailDeps,
  token: string,
  request: RequestInfo,
): Promise<void> {
  assertMailConfigured(ctx);
  await hitEmailIp(ctx, request.ip);
  const record = await consumeEmailToken(ctx, token, 'email_verify');
  const user = await ctx.storage.users.getById(record.userId);
  if (user === undefined || user.disabled) throw new ServerError('ERR_EMAIL_TOKEN_INVALID');
  const key = emailKey(record.email);
  const changed = user.emailKey !== key;
  const now = ctx.clock();
  if (!changed) {
    if (user.emailVerifiedAt === null)
      await ctx.storage.users.update(user.id, { emailVerifiedAt: now, updatedAt: now });
  } else {
    await claimAddress(ctx, user, record.email, key, now);
    await ctx.storage.emailTokens.deleteByUser(user.id, 'password_reset');
    // The previous address is told, so a change its owner did not make does not go unnoticed. Only
    // a proven one: an unverified address may be anybody's.
    if (user.email !== null && user.emailVerifiedAt !== null)
      ctx.mailer.send(emailChanged({ to: user.email, username: user.username, newEmail: record.email }));
  }
  await ctx.storage.emailTokens.deleteByUser(user.id, 'email_verify');
  await ctx.audit.record('email.verified', {
    actor: user.id,
    subject: user.id,
    request,
    detail: { changed },
  });
}

/** Gives `user` the proven address, taking it from an account that holds it unverified. */
async function claimAddress(
  ctx: Pick<ServerContext, 'storage'>,
  user: UserRecord,
  email: string,
  key: string,
  now: number,
): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await ctx.storage.users.update(user.id, { email, emailKey: key, emailVerifiedAt: now, updatedAt: now });
      return;
    } catch (error) {
      if (!(error instanceof StorageConflictError)) throw error;
    }
    const holder = await ctx.storage.users.getByEmail(key);
    if (holder === undefined) continue; // released a moment ago: try again
    // Proven by its holder (or by this very account, concurrently): theirs.
    if (holder.emailVerifiedAt !== null || holder.id === user.id) break;
    await ctx.storage.users.update(holder.id, {
      email: null,
      emailKey: null,
      emailVerifiedAt: null,
      updatedAt: now,
    });
    await ctx.storage.emailTokens.deleteByUser(holder.id, 'email_verify');
  }
  throw new ServerError('ERR_EMAIL_TOKEN_INVALID');
}

import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { checkPasswordPolicy } from '../passwords/index.js';
import { type ChangePasswordDeps, replacePassword } from '../users/change-password.js';
import { emailKey } from './email-key.js';
import { consumeEmailToken } from './email-token.js';
import { assertMailConfigured, hitEmailIp } from './limits.js';

/** What {@link resetPassword} reads. */
export type ResetPasswordDeps = ChangePasswordDeps & Pick<ServerContext, 'mailer' | 'coordinator'>;

/**
 * Sets a new password with a mailed reset link. The token is used up atomically (a second use, a
 * concurrent one, an expired or unknown token: one ERR_EMAIL_TOKEN_INVALID), and works only while
 * the account is enabled and still has the verified address the link was mailed to. Then, as a
 * password change does: every session of the user is revoked (each with a `session` revocation
 * event) and every browser session ended — none is kept, whoever asked may not be the owner — and
 * the account's other reset links are voided. A second factor the account has is still asked at
 * the next sign-in: a mailbox alone never replaces it.
 *
 * The password policy is checked before the token is used, so a refused password leaves the link
 * working for another try.
 *
 * @example
 * ```ts
 * await resetPassword(ctx, { token, password: 'a new long password' }, requestInfo(request));
 * ```
 */
export async function resetPassword(
  ctx: ResetPasswordDeps,
  input: { token: string; password: string },
  request: RequestInfo,
): Promise<void> {
  assertMailConfigured(ctx);
  await hitEmailIp(ctx, request.ip);
  checkPasswordPolicy(input.password, ctx.config.passwords);
  const record = await consumeEmailToken(ctx, input.token, 'password_reset');
  const user = await ctx.storage.users.getById(record.userId);
  if (
    user === undefined ||
    user.disabled ||
    user.emailVerifiedAt === null ||
    user.emailKey !== emailKey(record.email)
  )
    throw new ServerError('ERR_EMAIL_TOKEN_INVALID');
  const revoked = await replacePassword(ctx, user, input.password, {
    reason: 'password_reset',
    actor: user.id,
    request,
  });
  await ctx.storage.emailTokens.deleteByUser(user.id, 'password_reset');
  await ctx.audit.record('password.reset', {
    actor: user.id,
    subject: user.id,
    request,
    detail: { revokedSessions: revoked },
  });
}

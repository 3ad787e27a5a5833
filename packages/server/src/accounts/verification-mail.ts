import type { ServerContext } from '../context.js';
import { verifyEmail } from '../mail/index.js';
import type { UserRecord } from '../storage/index.js';
import { emailLink, issueEmailToken } from './email-token.js';

/** What {@link mailVerificationLink} reads. */
export type VerificationMailDeps = Pick<ServerContext, 'config' | 'issuer' | 'storage' | 'clock' | 'mailer'>;

/**
 * Stores a verification link for `email` (voiding the user's older ones) and queues its mail to
 * that address. The token names the address it proves: verifying it sets that address, whatever the
 * account holds by then.
 *
 * @example
 * ```ts
 * await mailVerificationLink(ctx, user, 'alice@new.example');
 * ```
 */
export async function mailVerificationLink(
  ctx: VerificationMailDeps,
  user: Pick<UserRecord, 'id' | 'username'>,
  email: string,
): Promise<void> {
  const token = await issueEmailToken(ctx, {
    kind: 'email_verify',
    userId: user.id,
    email,
    ttlSeconds: ctx.config.accounts.verifyTtl,
  });
  ctx.mailer.send(
    verifyEmail({ to: email, username: user.username, link: emailLink(ctx.issuer, 'email_verify', token) }),
  );
}

import type { RequestInfo, ServerContext } from '../context.js';
import { passwordReset } from '../mail/index.js';
import type { UserRecord } from '../storage/index.js';
import { lookupKey } from '../users/index.js';
import { afterAnswer } from './after-answer.js';
import { emailKey } from './email-key.js';
import { emailLink, issueEmailToken } from './email-token.js';
import { assertMailConfigured, hitEmailIp, takeMailBudget } from './limits.js';

/** What {@link requestPasswordReset} reads. */
export type RequestPasswordResetDeps = Pick<
  ServerContext,
  'config' | 'issuer' | 'storage' | 'clock' | 'coordinator' | 'sealer' | 'mailer' | 'audit' | 'logger'
>;

/**
 * "Forgot password": mails a reset link to the account `login` names (its username or its
 * address) — only if that account is enabled and its address is verified, since an unverified
 * address may be a typo or someone else's — and otherwise does nothing visible. The caller answers
 * the same 202 either way.
 *
 * Everything before the answer runs alike for every login: the per-source budget, a lookup by
 * username AND by address, a keyed fingerprint of the login. Storing the link (which voids the
 * account's older links), the account's mail budget, the mail and the audit event run after the
 * answer (`afterAnswer`); the returned promise settles when they are done.
 *
 * @example
 * ```ts
 * await requestPasswordReset(ctx, 'alice@hotel.example', requestInfo(request));
 * return reply.code(202).send({});
 * ```
 */
export async function requestPasswordReset(
  ctx: RequestPasswordResetDeps,
  login: string,
  request: RequestInfo,
): Promise<{ settled: Promise<void> }> {
  assertMailConfigured(ctx);
  await hitEmailIp(ctx, request.ip);
  // Both lookups always run: which one matched must not show in the time taken.
  const byUsername = await ctx.storage.users.getByUsername(lookupKey(login).slice(0, 256));
  const byEmail = await ctx.storage.users.getByEmail(emailKey(login).slice(0, 320));
  // A login may be a password typed into the wrong field: the audit keeps a keyed fingerprint only.
  const typed = ctx.sealer.fingerprint(lookupKey(login), 'typed-username');
  const user = byUsername ?? byEmail;
  const settled = afterAnswer(ctx, 'password reset request', () => mailResetLink(ctx, user, typed, request));
  return { settled };
}

/** After the answer: the link and its mail, or nothing; audited either way (never the token). */
async function mailResetLink(
  ctx: RequestPasswordResetDeps,
  user: UserRecord | undefined,
  typed: string,
  request: RequestInfo,
): Promise<void> {
  const reason =
    user === undefined
      ? 'unknown_login'
      : user.disabled
        ? 'disabled'
        : user.email === null || user.emailVerifiedAt === null
          ? 'no_verified_email'
          : (await takeMailBudget(ctx, user.id))
            ? undefined
            : 'throttled';
  if (user !== undefined && user.email !== null && reason === undefined) {
    const ttlSeconds = ctx.config.accounts.resetTtl;
    const token = await issueEmailToken(ctx, {
      kind: 'password_reset',
      userId: user.id,
      email: user.email,
      ttlSeconds,
    });
    ctx.mailer.send(
      passwordReset({
        to: user.email,
        username: user.username,
        link: emailLink(ctx.issuer, 'password_reset', token),
        ttlMinutes: ttlSeconds / 60,
      }),
    );
  }
  await ctx.audit.record('password.reset_requested', {
    actor: null,
    subject: user?.id ?? `unknown login ${typed}`,
    request,
    detail: { sent: reason === undefined, ...(reason === undefined ? {} : { reason }) },
  });
}

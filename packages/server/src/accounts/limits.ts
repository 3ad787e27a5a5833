import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { sourceOf } from '../throttle/index.js';

/** What the email endpoints' budgets read: the coordinator's cluster-wide sliding windows. */
export type EmailLimitDeps = Pick<ServerContext, 'config' | 'coordinator'>;

/**
 * Counts one call to a mail or link endpoint from `ip` (per source: an IPv4 address or an IPv6
 * /64) against `accounts.requestsPerIp`; over it, 429 ERR_RATE_LIMITED. The refusal depends on the
 * caller's address only, never on the account asked about, so it tells nothing about accounts.
 *
 * @example
 * ```ts
 * await hitEmailIp(ctx, request.ip);
 * ```
 */
export async function hitEmailIp(ctx: EmailLimitDeps, ip: string | null): Promise<void> {
  if (!ctx.config.throttle.enabled) return;
  const { limit, windowSeconds } = ctx.config.accounts.requestsPerIp;
  const result = await ctx.coordinator.rateLimit(`email:ip:${sourceOf(ip)}`, limit, windowSeconds * 1000);
  if (!result.allowed)
    throw new ServerError('ERR_RATE_LIMITED', {
      retryAfter: Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
    });
}

/**
 * Takes one mail from `accountKey`'s budget (`accounts.mailsPerAccount`); false when it is spent.
 * The caller then sends nothing and answers as usual: the budget keeps anyone from filling a
 * mailbox, and a refused mail must look exactly like a sent one.
 *
 * @example
 * ```ts
 * if (await takeMailBudget(ctx, user.id)) ctx.mailer.send(message);
 * ```
 */
export async function takeMailBudget(ctx: EmailLimitDeps, accountKey: string): Promise<boolean> {
  if (!ctx.config.throttle.enabled) return true;
  const { limit, windowSeconds } = ctx.config.accounts.mailsPerAccount;
  return (await ctx.coordinator.rateLimit(`email:mail:${accountKey}`, limit, windowSeconds * 1000)).allowed;
}

/**
 * Throws 404 ERR_MAIL_NOT_CONFIGURED when the server sends no mail: a flow that promises a link must
 * not run when no link can be sent.
 */
export function assertMailConfigured(ctx: Pick<ServerContext, 'mailer'>): void {
  if (!ctx.mailer.configured) throw new ServerError('ERR_MAIL_NOT_CONFIGURED');
}

/**
 * Throws 404 ERR_SIGNUP_DISABLED unless `accounts.signup` is on, then as {@link assertMailConfigured}:
 * sign-up confirms every account through its address.
 */
export function assertSignupOpen(ctx: Pick<ServerContext, 'config' | 'mailer'>): void {
  if (!ctx.config.accounts.signup) throw new ServerError('ERR_SIGNUP_DISABLED');
  assertMailConfigured(ctx);
}

import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { SecondFactor } from './amr.js';

/**
 * The per-account limit on wrong second factors (`mfa.maxFailures` per `mfa.failureWindow`),
 * counted on the coordinator so it holds for the cluster. Whoever gets here has the password (or
 * the person's live browser session), so the account is the right key: six digits are a million
 * guesses, and a limit per source would let a botnet through.
 *
 * Each attempt takes a hit before the check and gives it back when the factor was right, so
 * concurrent guesses cannot overshoot the budget (like the sign-in throttle's tickets).
 */

/** What the throttle reads. */
export type MfaThrottleDeps = Pick<ServerContext, 'coordinator' | 'config' | 'audit' | 'metrics'>;

/** An admitted attempt: settle it with {@link settleSecondFactor}. */
export interface MfaAttempt {
  readonly userId: string;
  readonly key: string;
}

const keyOf = (userId: string) => `mfa:fail:${userId}`;

/**
 * Reserves one failure for `userId` before a second factor is checked; ERR_RATE_LIMITED (429,
 * with the seconds until a slot frees) when the account has used its budget.
 *
 * @example
 * ```ts
 * const attempt = await admitSecondFactor(ctx, user.id);
 * const ok = await check();
 * await settleSecondFactor(ctx, attempt, ok ? 'success' : { failure: 'totp', request });
 * ```
 */
export async function admitSecondFactor(ctx: MfaThrottleDeps, userId: string): Promise<MfaAttempt> {
  const { maxFailures, failureWindow } = ctx.config.mfa;
  const key = keyOf(userId);
  const result = await ctx.coordinator.rateLimit(key, maxFailures, failureWindow * 1000, 1);
  if (!result.allowed) {
    ctx.metrics.logins.inc({ result: 'throttled' });
    throw new ServerError('ERR_RATE_LIMITED', {
      retryAfter: Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
    });
  }
  return { userId, key };
}

/**
 * Ends an admitted attempt: a right factor (or a check that could not run) gives the hit back; a
 * wrong one keeps it and is audited as `mfa.failed` with the kind of factor only, never what was
 * typed.
 *
 * @example
 * ```ts
 * await settleSecondFactor(ctx, attempt, { failure: 'recovery_code', request });
 * ```
 */
export async function settleSecondFactor(
  ctx: MfaThrottleDeps,
  attempt: MfaAttempt,
  outcome: 'success' | 'aborted' | { failure: SecondFactor; request: RequestInfo },
): Promise<void> {
  if (typeof outcome === 'object') {
    ctx.metrics.logins.inc({ result: 'mfa_failure' });
    await ctx.audit.record('mfa.failed', {
      actor: attempt.userId,
      subject: attempt.userId,
      request: outcome.request,
      detail: { factor: outcome.failure },
    });
    return;
  }
  const { maxFailures, failureWindow } = ctx.config.mfa;
  await ctx.coordinator.rateLimit(attempt.key, maxFailures, failureWindow * 1000, -1);
}

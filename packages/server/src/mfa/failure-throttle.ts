import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { sourceOf } from '../throttle/index.js';
import type { SecondFactor } from './amr.js';

/**
 * The limits on wrong second factors, counted on the coordinator so they hold for the cluster.
 *
 * Codes (TOTP, recovery codes) are limited per account: whoever gets here has the password (or
 * the person's live browser session), so the account is the right key — six digits are a million
 * guesses, and a limit per source would let a botnet through. Two windows: `mfa.maxFailures` per
 * `mfa.failureWindow` stops a burst, `mfa.dailyMaxFailures` per 24 hours caps the steady rate a
 * patient guesser could keep up under the short one (5 per 300 s alone is 1,440 a day: with three
 * steps accepted, about 79 % odds within a year; 20 a day, about 2 %). Reaching the daily cap is
 * audited `mfa.locked`.
 *
 * Passkeys are limited per source and account instead: a signature cannot be guessed, so its
 * failures need no account-wide budget, and one that junk assertions could fill would let anyone
 * who knows a credential id lock its owner out of their codes (or of a passkey sign-in elsewhere).
 *
 * Each attempt takes a hit before the check and gives it back when the factor was right, so
 * concurrent guesses cannot overshoot a budget (like the sign-in throttle's tickets).
 */

/** What the throttle reads. */
export type MfaThrottleDeps = Pick<ServerContext, 'coordinator' | 'config' | 'audit' | 'metrics'>;

/** The long window of `mfa.dailyMaxFailures`. */
export const MFA_DAILY_WINDOW_SECONDS = 86_400;

/** One sliding window an attempt holds a hit in. */
interface Budget {
  key: string;
  limit: number;
  windowMs: number;
}

/** An admitted attempt: settle it with {@link settleSecondFactor}. */
export interface MfaAttempt {
  readonly userId: string;
  /** The windows holding this attempt's hit (given back unless the factor was wrong). */
  readonly budgets: readonly Budget[];
  /** The daily window of a code attempt: its filling is audited. */
  readonly daily: Budget | undefined;
}

/** The windows an attempt with `factor` counts in. */
function budgetsOf(
  ctx: Pick<ServerContext, 'config'>,
  userId: string,
  factor: SecondFactor,
  ip: string | null,
): { budgets: Budget[]; daily: Budget | undefined } {
  const { maxFailures, failureWindow, dailyMaxFailures } = ctx.config.mfa;
  const shortMs = failureWindow * 1000;
  if (factor === 'passkey')
    return {
      budgets: [{ key: `mfa:passkey:${sourceOf(ip)}:${userId}`, limit: maxFailures, windowMs: shortMs }],
      daily: undefined,
    };
  const daily = {
    key: `mfa:fail-day:${userId}`,
    limit: dailyMaxFailures,
    windowMs: MFA_DAILY_WINDOW_SECONDS * 1000,
  };
  return { budgets: [{ key: `mfa:fail:${userId}`, limit: maxFailures, windowMs: shortMs }, daily], daily };
}

/**
 * Reserves one failure for `userId` before a second factor of kind `factor` is checked (a passkey
 * from `ip`); ERR_RATE_LIMITED (429, with the seconds until a slot frees) when a budget is used up.
 *
 * @example
 * ```ts
 * const attempt = await admitSecondFactor(ctx, user.id, 'totp', request.ip);
 * const ok = await check();
 * await settleSecondFactor(ctx, attempt, ok ? 'success' : { failure: 'totp', request });
 * ```
 */
export async function admitSecondFactor(
  ctx: MfaThrottleDeps,
  userId: string,
  factor: SecondFactor,
  ip: string | null,
): Promise<MfaAttempt> {
  const { budgets, daily } = budgetsOf(ctx, userId, factor, ip);
  const taken: Budget[] = [];
  for (const budget of budgets) {
    const result = await ctx.coordinator.rateLimit(budget.key, budget.limit, budget.windowMs, 1);
    if (!result.allowed) {
      // A refused attempt holds nothing: the hits the earlier windows took go back.
      await giveBack(ctx, taken);
      ctx.metrics.logins.inc({ result: 'throttled' });
      throw new ServerError('ERR_RATE_LIMITED', {
        retryAfter: Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
      });
    }
    taken.push(budget);
  }
  return { userId, budgets, daily };
}

/**
 * Ends an admitted attempt: a right factor (or a check that could not run) gives the hits back; a
 * wrong one keeps them and is audited as `mfa.failed` with the kind of factor only, never what was
 * typed — and as `mfa.locked` when it used up the account's daily budget for codes.
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
  if (typeof outcome !== 'object') return giveBack(ctx, attempt.budgets);
  ctx.metrics.logins.inc({ result: 'mfa_failure' });
  await ctx.audit.record('mfa.failed', {
    actor: attempt.userId,
    subject: attempt.userId,
    request: outcome.request,
    detail: { factor: outcome.failure },
  });
  const { daily } = attempt;
  // Cost 0 only looks: no slot left means this failure was the one that filled the day's budget.
  if (
    daily !== undefined &&
    !(await ctx.coordinator.rateLimit(daily.key, daily.limit, daily.windowMs, 0)).allowed
  )
    await ctx.audit.record('mfa.locked', {
      actor: attempt.userId,
      subject: attempt.userId,
      request: outcome.request,
      detail: { failures: daily.limit, windowSeconds: MFA_DAILY_WINDOW_SECONDS },
    });
}

async function giveBack(ctx: Pick<ServerContext, 'coordinator'>, budgets: readonly Budget[]): Promise<void> {
  for (const b of budgets) await ctx.coordinator.rateLimit(b.key, b.limit, b.windowMs, -1);
}

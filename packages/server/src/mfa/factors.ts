import type { RequestInfo, ServerContext } from '../context.js';
import type { PasskeyRecord, TotpRecord } from '../storage/index.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';

/**
 * What a person has set up as a second factor, and what the services that add or remove factors
 * share: whether a role demands one, and the recovery codes that come with the first.
 */

/** Most passkeys one account may hold: enough for every device a person owns, a bound on a list every sign-in reads. */
export const MAX_PASSKEYS_PER_USER = 20;

/** A person's second factors as storage holds them. */
export interface UserFactors {
  /** The TOTP authenticator once confirmed; an enrolment still pending is no factor. */
  totp: TotpRecord | undefined;
  /** Passkeys, oldest first. */
  passkeys: PasskeyRecord[];
}

/**
 * The confirmed TOTP and the passkeys of `userId`.
 *
 * @example
 * ```ts
 * const factors = await factorsOf(ctx, user.id);
 * if (!hasFactor(factors)) await ctx.storage.recoveryCodes.deleteByUser(user.id);
 * ```
 */
export async function factorsOf(ctx: Pick<ServerContext, 'storage'>, userId: string): Promise<UserFactors> {
  const [totp, passkeys] = await Promise.all([
    ctx.storage.totp.get(userId),
    ctx.storage.passkeys.listByUser(userId),
  ]);
  return { totp: totp?.confirmedAt === null ? undefined : totp, passkeys };
}

/**
 * Whether the person has at least one second factor (recovery codes are a stand-in, not a factor).
 *
 * @example
 * ```ts
 * hasFactor({ totp: undefined, passkeys: [] }); // false
 * ```
 */
export function hasFactor(factors: UserFactors): boolean {
  return factors.totp !== undefined || factors.passkeys.length > 0;
}

/**
 * Whether any of `roles` requires a second factor (`RoleRecord.requireMfa`). A role that no longer
 * exists requires nothing.
 *
 * @example
 * ```ts
 * if (await mfaRequiredByRoles(ctx, user.roles)) refuseRemovingTheLastFactor();
 * ```
 */
export async function mfaRequiredByRoles(
  ctx: Pick<ServerContext, 'directory'>,
  roles: readonly string[],
): Promise<boolean> {
  for (const name of roles) {
    if ((await ctx.directory.role(name))?.requireMfa === true) return true;
  }
  return false;
}

/** Why recovery codes were made (in the audit detail). */
export type RecoveryCodesReason = 'first_factor' | 'regenerated';

/**
 * Makes the person's recovery codes anew (the old ones stop working in the same transaction),
 * records `mfa.recovery_codes_generated` and returns the codes: the only time anyone sees them.
 *
 * @example
 * ```ts
 * const codes = await issueRecoveryCodes(ctx, user.id, 'first_factor', { actor: user.id, request });
 * ```
 */
export async function issueRecoveryCodes(
  ctx: Pick<ServerContext, 'storage' | 'sealer' | 'clock' | 'audit'>,
  userId: string,
  reason: RecoveryCodesReason,
  opts: { actor: string; request?: RequestInfo | undefined },
): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await ctx.storage.recoveryCodes.replace(
    userId,
    codes.map((code) => hashRecoveryCode(ctx, code)),
    ctx.clock(),
  );
  await ctx.audit.record('mfa.recovery_codes_generated', {
    actor: opts.actor,
    subject: userId,
    request: opts.request,
    detail: { count: codes.length, reason },
  });
  return codes;
}

import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { PasskeyRecord, UserRecord } from '../storage/index.js';
import { factorsOf, hasFactor, issueRecoveryCodes, mfaRequiredByRoles } from './factors.js';
import { passkeyName } from './passkey-name.js';

/**
 * The account page's and the admin's hold on a person's factors: what they have, renaming and
 * removing them, new recovery codes, and the admin's reset. The HTTP layer checks the recent
 * sign-in these need; these services check what the factors themselves allow.
 */

/** What the factor services read. */
export type ManageFactorsDeps = Pick<ServerContext, 'storage' | 'sealer' | 'clock' | 'audit' | 'directory'>;

/** Who made a change, for the audit log. */
export interface ChangeBy {
  actor: string;
  request?: RequestInfo | undefined;
}

/** A person's second factors, as the account and admin pages show them (no secret in it). */
export interface MfaSummary {
  totp: { enabled: boolean; confirmedAt: number | null };
  passkeys: PasskeyRecord[];
  recoveryCodesRemaining: number;
  /** Whether one of the person's roles requires a second factor. */
  required: boolean;
}

/**
 * What `user` has set up.
 *
 * @example
 * ```ts
 * const summary = await mfaSummary(ctx, user);
 * ```
 */
export async function mfaSummary(
  ctx: ManageFactorsDeps,
  user: Pick<UserRecord, 'id' | 'roles'>,
): Promise<MfaSummary> {
  const [factors, remaining, required] = await Promise.all([
    factorsOf(ctx, user.id),
    ctx.storage.recoveryCodes.countUnused(user.id),
    mfaRequiredByRoles(ctx, user.roles),
  ]);
  return {
    totp: { enabled: factors.totp !== undefined, confirmedAt: factors.totp?.confirmedAt ?? null },
    passkeys: factors.passkeys,
    recoveryCodesRemaining: remaining,
    required,
  };
}

/**
 * Renames one of `userId`'s passkeys (ERR_PASSKEY_NOT_FOUND when they have none with this id).
 * Audited `passkey.renamed`.
 *
 * @example
 * ```ts
 * await renamePasskey(ctx, user.id, passkeyId, 'Phone', { actor: user.id, request });
 * ```
 */
export async function renamePasskey(
  ctx: ManageFactorsDeps,
  userId: string,
  passkeyId: string,
  name: string,
  by: ChangeBy,
): Promise<void> {
  if (!(await ctx.storage.passkeys.rename(passkeyId, userId, passkeyName(name))))
    throw new ServerError('ERR_PASSKEY_NOT_FOUND');
  await ctx.audit.record('passkey.renamed', {
    actor: by.actor,
    subject: userId,
    request: by.request,
    detail: { passkey: passkeyId },
  });
}

/**
 * Refuses to take the last factor of a person whose role requires one (ERR_MFA_LAST_FACTOR):
 * they would be made to set one up again at their next sign-in, and meanwhile hold an account
 * their organisation said must not be password-only.
 */
async function keepRequiredFactor(
  ctx: ManageFactorsDeps,
  user: Pick<UserRecord, 'roles'>,
  remaining: { totp: boolean; passkeys: number },
): Promise<void> {
  if (remaining.totp || remaining.passkeys > 0) return;
  if (await mfaRequiredByRoles(ctx, user.roles)) throw new ServerError('ERR_MFA_LAST_FACTOR');
}

/** Once the last factor is gone, the recovery codes go too: they stand in for a factor. */
async function dropCodesWithoutFactor(ctx: ManageFactorsDeps, userId: string): Promise<void> {
  // Counted after the removal, so of two removals racing the later one sees none left.
  if (!hasFactor(await factorsOf(ctx, userId))) await ctx.storage.recoveryCodes.deleteByUser(userId);
}

/**
 * Removes one of `user`'s passkeys. ERR_PASSKEY_NOT_FOUND when they have none with this id;
 * ERR_MFA_LAST_FACTOR when it is the last factor and a role requires one. Removing the last
 * factor deletes the recovery codes. Audited `passkey.removed`.
 *
 * @example
 * ```ts
 * await removePasskey(ctx, user, passkeyId, { actor: user.id, request });
 * ```
 */
export async function removePasskey(
  ctx: ManageFactorsDeps,
  user: Pick<UserRecord, 'id' | 'roles'>,
  passkeyId: string,
  by: ChangeBy,
): Promise<void> {
  const factors = await factorsOf(ctx, user.id);
  if (!factors.passkeys.some((p) => p.id === passkeyId)) throw new ServerError('ERR_PASSKEY_NOT_FOUND');
  await keepRequiredFactor(ctx, user, {
    totp: factors.totp !== undefined,
    passkeys: factors.passkeys.length - 1,
  });
  if (!(await ctx.storage.passkeys.delete(passkeyId, user.id)))
    throw new ServerError('ERR_PASSKEY_NOT_FOUND');
  await dropCodesWithoutFactor(ctx, user.id);
  await ctx.audit.record('passkey.removed', {
    actor: by.actor,
    subject: user.id,
    request: by.request,
    detail: { passkey: passkeyId },
  });
}

/**
 * Removes `user`'s TOTP authenticator (a confirmed one; ERR_MFA_NOT_ENROLLED otherwise — an
 * enrolment still pending is simply started again). ERR_MFA_LAST_FACTOR as for passkeys; the
 * last factor takes the recovery codes with it. Audited `mfa.totp_removed`.
 *
 * @example
 * ```ts
 * await removeTotp(ctx, user, { actor: user.id, request });
 * ```
 */
export async function removeTotp(
  ctx: ManageFactorsDeps,
  user: Pick<UserRecord, 'id' | 'roles'>,
  by: ChangeBy,
): Promise<void> {
  const factors = await factorsOf(ctx, user.id);
  if (factors.totp === undefined) throw new ServerError('ERR_MFA_NOT_ENROLLED');
  await keepRequiredFactor(ctx, user, { totp: false, passkeys: factors.passkeys.length });
  if (!(await ctx.storage.totp.delete(user.id))) throw new ServerError('ERR_MFA_NOT_ENROLLED');
  await dropCodesWithoutFactor(ctx, user.id);
  await ctx.audit.record('mfa.totp_removed', { actor: by.actor, subject: user.id, request: by.request });
}

/**
 * Ten new recovery codes for `userId`, the old ones void at once. Only with a factor
 * (ERR_MFA_NOT_ENROLLED otherwise: codes are a stand-in for one). Audited
 * `mfa.recovery_codes_generated`.
 *
 * @example
 * ```ts
 * const codes = await regenerateRecoveryCodes(ctx, user.id, { actor: user.id, request });
 * ```
 */
export async function regenerateRecoveryCodes(
  ctx: ManageFactorsDeps,
  userId: string,
  by: ChangeBy,
): Promise<string[]> {
  if (!hasFactor(await factorsOf(ctx, userId))) throw new ServerError('ERR_MFA_NOT_ENROLLED');
  return issueRecoveryCodes(ctx, userId, 'regenerated', by);
}

/** What an admin's reset removed. */
export interface MfaReset {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

/**
 * An admin's reset for a person who lost their factors: removes the TOTP authenticator (pending
 * or confirmed), every passkey and every recovery code (ERR_USER_NOT_FOUND for an unknown user).
 * Sessions are left alone: revoking them is a separate, deliberate step. A person whose role
 * requires a factor sets one up again at their next sign-in. Audited `mfa.reset` with the counts.
 *
 * @example
 * ```ts
 * await resetMfa(ctx, userId, { actor: adminId, request });
 * ```
 */
export async function resetMfa(ctx: ManageFactorsDeps, userId: string, by: ChangeBy): Promise<MfaReset> {
  if ((await ctx.storage.users.getById(userId)) === undefined) throw new ServerError('ERR_USER_NOT_FOUND');
  const totp = await ctx.storage.totp.delete(userId);
  const passkeys = await ctx.storage.passkeys.deleteByUser(userId);
  const recoveryCodes = await ctx.storage.recoveryCodes.deleteByUser(userId);
  const reset: MfaReset = { totp, passkeys, recoveryCodes };
  await ctx.audit.record('mfa.reset', {
    actor: by.actor,
    subject: userId,
    request: by.request,
    detail: { ...reset },
  });
  return reset;
}

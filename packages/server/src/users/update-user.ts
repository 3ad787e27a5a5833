import { checkEmail } from '../accounts/email-key.js';
import { type EndBrowserSessionDeps, endUserBrowserSessions } from '../authorize/end-browser-session.js';
import type { RequestInfo, RevocationPublishDeps, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { publishSessionRevocations, publishSubjectRevocation } from '../revocations/index.js';
import { StorageConflictError, type UserPatch, type UserRecord } from '../storage/index.js';
import { type ChangePasswordDeps, changePassword } from './change-password.js';
import { assertRolesExist } from './create-user.js';

/** Admin changes to a user; every field optional. */
export interface UpdateUserInput {
  roles?: string[];
  disabled?: boolean;
  password?: string;
  claims?: Record<string, unknown>;
  /** A new address, stored as verified (the admin vouches for it); `null` removes it. */
  email?: string | null;
}

/** What `revokeSubject` reads. */
export type RevokeSubjectDeps = Pick<ServerContext, 'storage' | 'clock'> &
  RevocationPublishDeps &
  EndBrowserSessionDeps;

/** What {@link updateUser} reads: a new password goes through {@link changePassword}. */
export type UpdateUserDeps = Pick<ServerContext, 'storage' | 'clock' | 'audit'> &
  ChangePasswordDeps &
  RevokeSubjectDeps;

/**
 * Applies admin changes. A new address is stored verified and voids the links mailed to the old
 * one. Disabling revokes every session and publishes a `subject` event so
 * tokens already issued stop working at every guard; a new password revokes all sessions.
 * Changed roles or claims publish a `subject` event too (live tokens carry the old ones), but
 * keep the sessions: the client's next refresh gets a token with the new roles and claims.
 *
 * @example
 * ```ts
 * await updateUser(ctx, userId, { disabled: true }, { actor: adminId, request });
 * ```
 */
export async function updateUser(
  ctx: UpdateUserDeps,
  userId: string,
  input: UpdateUserInput,
  opts: { actor: string; request: RequestInfo },
): Promise<UserRecord> {
  const user = await ctx.storage.users.getById(userId);
  if (user === undefined) throw new ServerError('ERR_USER_NOT_FOUND');
  if (input.roles !== undefined) await assertRolesExist(ctx, input.roles);
  const email = input.email === undefined ? {} : await emailPatch(ctx, user, input.email);
  if (input.password !== undefined) {
    await changePassword(ctx, { userId, newPassword: input.password, actor: opts.actor }, opts.request);
  }
  const now = ctx.clock();
  let updated: UserRecord | undefined;
  try {
    updated = await ctx.storage.users.update(userId, {
      ...(input.roles !== undefined ? { roles: [...new Set(input.roles)] } : {}),
      ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
      ...(input.claims !== undefined ? { claims: input.claims } : {}),
      ...email,
      updatedAt: now,
    });
  } catch (error) {
    if (error instanceof StorageConflictError)
      throw new ServerError('ERR_CONFLICT', {
        message: 'email: another user has this address',
        cause: error,
      });
    throw error;
  }
  if (updated === undefined) throw new ServerError('ERR_USER_NOT_FOUND');
  if (updated.emailKey !== user.emailKey) {
    // Links mailed to the old address must not open the account any more.
    await ctx.storage.emailTokens.deleteByUser(userId, 'password_reset');
    await ctx.storage.emailTokens.deleteByUser(userId, 'email_verify');
  }
  if (input.disabled === true && !user.disabled) await revokeSubject(ctx, userId, 'disabled');
  else if (tokenContentChanged(user, updated)) await publishSubjectRevocation(ctx, userId);
  await ctx.audit.record('admin.user.update', {
    actor: opts.actor,
    subject: userId,
    request: opts.request,
    detail: {
      fields: Object.keys(input).filter((k) => k !== 'password'),
      passwordChanged: input.password !== undefined,
    },
  });
  return updated;
}

/**
 * The storage patch of an admin-set address: verified now (the admin vouches for it), or removed.
 * Setting the address the user already has keeps its verification time. Another user's address
 * is refused with ERR_CONFLICT (the admin sees every user anyway).
 */
async function emailPatch(
  ctx: Pick<ServerContext, 'storage' | 'clock'>,
  user: UserRecord,
  raw: string | null,
): Promise<UserPatch> {
  if (raw === null) return { email: null, emailKey: null, emailVerifiedAt: null };
  const { email, key } = checkEmail(raw);
  const holder = await ctx.storage.users.getByEmail(key);
  if (holder !== undefined && holder.id !== user.id)
    throw new ServerError('ERR_CONFLICT', { message: 'email: another user has this address' });
  const verifiedAt =
    user.emailKey === key && user.emailVerifiedAt !== null ? user.emailVerifiedAt : ctx.clock();
  return { email, emailKey: key, emailVerifiedAt: verifiedAt };
}

/**
 * Revokes every session of a user and every token issued to them until now, ends their browser
 * sessions (the apps signed in through them are told by back-channel logout) and voids their
 * pending address-change links.
 *
 * @example
 * ```ts
 * await revokeSubject(ctx, userId, 'deleted');
 * ```
 */
export async function revokeSubject(ctx: RevokeSubjectDeps, userId: string, reason: string): Promise<void> {
  await endUserBrowserSessions(ctx, userId, reason, { actor: null, request: { ip: null, userAgent: null } });
  const revoked = await ctx.storage.sessions.revokeByUser(userId, ctx.clock(), reason);
  for (const sid of revoked) await ctx.storage.refreshTokens.deleteBySession(sid);
  await publishSessionRevocations(ctx, revoked);
  await publishSubjectRevocation(ctx, userId);
  // A pending change of address asked for by whoever held a session must not outlive it.
  await ctx.storage.emailTokens.deleteByUser(userId, 'email_verify');
}

/** Whether the user's tokens would now carry different roles or claims. */
function tokenContentChanged(before: UserRecord, after: UserRecord): boolean {
  const roles = (u: UserRecord) => JSON.stringify([...u.roles].sort());
  return roles(before) !== roles(after) || JSON.stringify(before.claims) !== JSON.stringify(after.claims);
}

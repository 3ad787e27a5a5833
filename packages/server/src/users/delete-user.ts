import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { type RevokeSubjectDeps, revokeSubject } from './update-user.js';

/** What {@link deleteUser} reads. */
export type DeleteUserDeps = Pick<ServerContext, 'storage' | 'audit'> & RevokeSubjectDeps;

/**
 * Deletes a user after revoking every session and token they hold.
 *
 * @example
 * ```ts
 * await deleteUser(ctx, userId, { actor: adminId, request });
 * ```
 */
export async function deleteUser(
  ctx: DeleteUserDeps,
  userId: string,
  opts: { actor: string; request: RequestInfo },
): Promise<void> {
  const user = await ctx.storage.users.getById(userId);
  if (user === undefined) throw new ServerError('ERR_USER_NOT_FOUND');
  await revokeSubject(ctx, userId, 'user_deleted');
  await ctx.storage.users.delete(userId);
  await ctx.storage.consents.deleteByUser(userId);
  await ctx.storage.authorizationCodes.deleteByUser(userId);
  await ctx.storage.browserSessions.endByUser(userId, ctx.clock(), 'user_deleted');
  await ctx.audit.record('admin.user.delete', {
    actor: opts.actor,
    subject: userId,
    request: opts.request,
    detail: { username: user.username },
  });
}

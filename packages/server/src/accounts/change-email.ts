import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { UserRecord } from '../storage/index.js';
import { afterAnswer } from './after-answer.js';
import { checkEmail } from './email-key.js';
import { assertMailConfigured, hitEmailIp, takeMailBudget } from './limits.js';
import { mailVerificationLink, type VerificationMailDeps } from './verification-mail.js';

/** What {@link requestEmailChange} reads. */
export type RequestEmailChangeDeps = VerificationMailDeps &
  Pick<ServerContext, 'coordinator' | 'audit' | 'logger'>;

/** What became of a change request (audited; never told to the caller). */
type ChangeOutcome = 'sent' | 'unchanged' | 'taken' | 'throttled';

/**
 * A signed-in user asks to use another address. Nothing changes on the account yet: a link is
 * mailed to the new address, and the address replaces the current one only when that link is
 * used (`verifyEmailToken`) — so a typo never costs the user the verified address their
 * reset links go to, and the account never shows an address its owner has not proven.
 *
 * The answer (202) is the same whatever the address: one another account has verified gets no
 * mail and changes nothing, so the call cannot be used to find out who has an address. The user's
 * own unverified address gets its link again; their own verified one, nothing.
 *
 * @example
 * ```ts
 * await requestEmailChange(ctx, caller.userId, body.email, requestInfo(request));
 * return reply.code(202).send({});
 * ```
 */
export async function requestEmailChange(
  ctx: RequestEmailChangeDeps,
  userId: string,
  rawEmail: string,
  request: RequestInfo,
): Promise<{ settled: Promise<void> }> {
  assertMailConfigured(ctx);
  await hitEmailIp(ctx, request.ip);
  const { email, key } = checkEmail(rawEmail);
  const user = await ctx.storage.users.getById(userId);
  if (user === undefined || user.disabled) throw new ServerError('ERR_INVALID_TOKEN');
  const holder = await ctx.storage.users.getByEmail(key);
  const settled = afterAnswer(ctx, 'address change', async () => {
    const outcome = await mailIfFree(ctx, user, holder, email);
    await ctx.audit.record('email.change_requested', {
      actor: user.id,
      subject: user.id,
      request,
      detail: { outcome },
    });
  });
  return { settled };
}

async function mailIfFree(
  ctx: RequestEmailChangeDeps,
  user: UserRecord,
  holder: UserRecord | undefined,
  email: string,
): Promise<ChangeOutcome> {
  if (holder !== undefined && holder.id !== user.id && holder.emailVerifiedAt !== null) return 'taken';
  if (holder?.id === user.id && user.emailVerifiedAt !== null) return 'unchanged';
  if (!(await takeMailBudget(ctx, user.id))) return 'throttled';
  await mailVerificationLink(ctx, user, email);
  return 'sent';
}

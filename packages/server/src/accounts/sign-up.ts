import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { signupExisting } from '../mail/index.js';
import { checkPasswordPolicy } from '../passwords/index.js';
import type { UserRecord } from '../storage/index.js';
import { type CreateUserDeps, checkUsername, createUser } from '../users/index.js';
import { afterAnswer } from './after-answer.js';
import { checkEmail } from './email-key.js';
import { assertSignupOpen, takeMailBudget } from './limits.js';
import { mailVerificationLink } from './verification-mail.js';

/** What {@link signUp} reads. */
export type SignUpDeps = CreateUserDeps &
  Pick<ServerContext, 'issuer' | 'coordinator' | 'throttle' | 'mailer' | 'logger'>;

/** Input of {@link signUp}. */
export interface SignUpInput {
  username: string;
  email: string;
  password: string;
}

/**
 * Self-service sign-up (`accounts.signup`, and mail). A new username with a new address creates the
 * account — with no role at all, whatever `registration.roles` says: an admin grants roles — and
 * mails a link that verifies its address. A username or an address that exists creates nothing
 * and answers the same: the owner of an existing address is mailed instead (that the account
 * exists, or, while their address is unverified, its verification link again); a taken username
 * with a new address mails nobody, since mail to the address given would tell the requester the
 * name exists.
 *
 * Input mistakes (a malformed username or address, a too-short password) are refused at once:
 * they say nothing about accounts. The argon2 hash runs in both branches, so the time taken does
 * not tell them apart; the mail goes after the answer. Per-source budget: `throttle.registerPerIp`.
 *
 * @example
 * ```ts
 * await signUp(ctx, { username: 'dave', email: 'dave@example.com', password: 'a long password' }, info);
 * return reply.code(202).send({});
 * ```
 */
export async function signUp(
  ctx: SignUpDeps,
  input: SignUpInput,
  request: RequestInfo,
): Promise<{ settled: Promise<void> }> {
  assertSignupOpen(ctx);
  await ctx.throttle.hitIp('register', request.ip);
  const { key: usernameKey } = checkUsername(input.username);
  const { email, key } = checkEmail(input.email);
  checkPasswordPolicy(input.password, ctx.config.passwords);
  const byUsername = await ctx.storage.users.getByUsername(usernameKey);
  const holder = await ctx.storage.users.getByEmail(key);
  let created: UserRecord | undefined;
  if (byUsername === undefined && holder === undefined) {
    created = await createUser(ctx, { ...input, email, emailVerified: false, roles: [] }).catch(
      (error: unknown) => {
        // Someone took the name or the address a moment ago: the same answer as if they had before.
        if (
          error instanceof ServerError &&
          (error.code === 'ERR_USERNAME_TAKEN' || error.code === 'ERR_CONFLICT')
        )
          return undefined;
        throw error;
      },
    );
  } else {
    // Not stored, only hashed: the existing-account branch costs what the new-account one does.
    await ctx.passwords.hash(input.password);
  }
  const settled = afterAnswer(ctx, 'sign-up', async () => {
    if (created !== undefined) {
      if (await takeMailBudget(ctx, created.id)) await mailVerificationLink(ctx, created, email);
    } else {
      const owner = holder ?? (await ctx.storage.users.getByEmail(key));
      if (owner?.email != null && (await takeMailBudget(ctx, owner.id))) {
        if (owner.emailVerifiedAt === null) await mailVerificationLink(ctx, owner, owner.email);
        else ctx.mailer.send(signupExisting({ to: owner.email, username: owner.username }));
      }
    }
    await ctx.audit.record('signup.requested', {
      actor: created?.id ?? null,
      subject: created?.id ?? owner(holder, byUsername),
      request,
      detail: { created: created !== undefined },
    });
  });
  return { settled };
}

/** The audit subject of a sign-up that created nothing: the account it collided with. */
function owner(holder: UserRecord | undefined, byUsername: UserRecord | undefined): string | null {
  return holder?.id ?? byUsername?.id ?? null;
}

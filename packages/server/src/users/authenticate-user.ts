import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { UserRecord } from '../storage/index.js';
import { lookupKey } from './username.js';

/** What `authenticateUser` reads. */
export type AuthenticateUserDeps = Pick<
  ServerContext,
  'storage' | 'clock' | 'sealer' | 'passwords' | 'throttle' | 'metrics' | 'audit'
>;

/**
 * Checks a username and password. Unknown user, wrong password and disabled user all throw the
 * same ERR_INVALID_CREDENTIALS after the same argon2 work (no enumeration). Throttled per IP
 * by the caller and here per (account, source), per source and per account (see the throttle);
 * rehashes when the cost parameters changed.
 *
 * @example
 * ```ts
 * const user = await authenticateUser(ctx, 'alice', 'correct horse', request);
 * ```
 */
export async function authenticateUser(
  ctx: AuthenticateUserDeps,
  username: string,
  password: string,
  request: RequestInfo,
): Promise<UserRecord> {
  const key = lookupKey(username).slice(0, 256);
  // A typed username may be a password typed into the wrong field: the audit log keeps only a
  // keyed fingerprint of it, so repeated attempts still correlate.
  const typed = ctx.sealer.fingerprint(key, 'typed-username');
  const ticket = await ctx.throttle.admitSignIn(key, request.ip).catch(async (error: unknown) => {
    ctx.metrics.logins.inc({ result: 'throttled' });
    await ctx.audit.record('login.failure', {
      subject: `username ${typed}`,
      request,
      detail: { reason: 'throttled' },
    });
    throw error;
  });
  let user: UserRecord | undefined;
  let ok = false;
  try {
    // The account is under a spread-out attack and this source is new to it: slow down, don't refuse.
    if (ticket.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, ticket.delayMs));
    user = await ctx.storage.users.getByUsername(key);
    if (user === undefined) await ctx.passwords.verifyDummy(password);
    else ok = await ctx.passwords.verify(user.passwordHash, password);
  } catch (error) {
    // Not a wrong password (storage down, hashing queue full): it must not count as a guess.
    await ctx.throttle.settleSignIn(ticket, 'aborted');
    throw error;
  }
  if (!ok || user === undefined || user.disabled) {
    const reason = user === undefined ? 'unknown_user' : ok ? 'disabled' : 'password';
    await ctx.throttle.settleSignIn(ticket, 'failure');
    ctx.metrics.logins.inc({ result: 'failure' });
    await ctx.audit.record('login.failure', {
      actor: user?.id ?? null,
      subject: user?.id ?? `unknown user ${typed}`,
      request,
      detail: { reason },
    });
    throw new ServerError('ERR_INVALID_CREDENTIALS');
  }
  await ctx.throttle.settleSignIn(ticket, 'success');
  if (ctx.passwords.needsRehash(user.passwordHash)) {
    const passwordHash = await ctx.passwords.hash(password);
    return (await ctx.storage.users.update(user.id, { passwordHash, updatedAt: ctx.clock() })) ?? user;
  }
  return user;
}

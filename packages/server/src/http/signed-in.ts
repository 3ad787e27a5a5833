import type { FastifyRequest } from 'fastify';
import type { SignedIn } from '../authorize/index.js';
import type { ServerContext } from '../context.js';
import { currentBrowserSession } from './browser-session.js';

/**
 * The person signed in at the front desk in this browser: a live browser session (cookie MAC
 * valid, not ended, not expired) whose user still exists and is not disabled. A disabled or deleted
 * user's browser session is no sign-in.
 *
 * @example
 * ```ts
 * const signedIn = await signedInBrowser(ctx, request);
 * if (signedIn === undefined) throw new ServerError('ERR_LOGIN_REQUIRED');
 * ```
 */
export async function signedInBrowser(
  ctx: Pick<ServerContext, 'sealer' | 'storage' | 'clock'>,
  request: FastifyRequest,
): Promise<SignedIn | undefined> {
  const session = await currentBrowserSession(ctx, request);
  if (session === undefined) return undefined;
  const user = await ctx.storage.users.getById(session.userId);
  if (user === undefined || user.disabled) return undefined;
  return { session, user };
}

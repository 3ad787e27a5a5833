import type { RequestInfo, ServerContext } from '../context.js';
import { randomId } from '../crypto/index.js';
import { PASSWORD_AMR } from '../sessions/token-set.js';
import type { BrowserSessionRecord } from '../storage/index.js';
import { type AuthenticateUserDeps, authenticateUser } from '../users/index.js';
import type { SignedIn } from './decide.js';
import { type EndBrowserSessionDeps, endBrowserSession } from './end-browser-session.js';

/** What {@link signInBrowser} reads. */
export type SignInBrowserDeps = Pick<
  ServerContext,
  'throttle' | 'metrics' | 'storage' | 'clock' | 'config' | 'audit'
> &
  AuthenticateUserDeps &
  EndBrowserSessionDeps;

/**
 * Signs a person in at the front desk for an authorization request: the same per-IP throttle and
 * password check as `/api/login` (one answer, ERR_INVALID_CREDENTIALS, and the same work for an
 * unknown user, a wrong password or a disabled account), then a new browser session (auth time now,
 * `amr: ['pwd']`, lasting `authorize.browserSessionTtl`). The browser's previous session, if any,
 * ends as a sign-out does (its apps' non-offline sessions revoked, back-channel logout): one
 * browser, one person at the desk, and nothing issued through the old session outlives it
 * unnoticed. Audited as `login.success` with `via: 'authorize'`.
 *
 * @example
 * ```ts
 * const signedIn = await signInBrowser(ctx, { username, password, clientId, previousSessionId, request });
 * setBrowserSessionCookie(ctx, reply, signedIn.session);
 * ```
 */
export async function signInBrowser(
  ctx: SignInBrowserDeps,
  input: {
    username: string;
    password: string;
    /** The client the sign-in is for (audit only). */
    clientId: string;
    /** The browser session the request's cookie names, ended once the new one exists. */
    previousSessionId: string | undefined;
    request: RequestInfo;
  },
): Promise<SignedIn> {
  const { request } = input;
  await ctx.throttle.hitIp('login', request.ip).catch((error: unknown) => {
    ctx.metrics.logins.inc({ result: 'throttled' });
    throw error;
  });
  const user = await authenticateUser(ctx, input.username, input.password, request);
  const now = ctx.clock();
  const session: BrowserSessionRecord = {
    id: randomId(),
    userId: user.id,
    authTime: now,
    amr: [...PASSWORD_AMR],
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + ctx.config.authorize.browserSessionTtl * 1000,
    endedAt: null,
    endedReason: null,
  };
  await ctx.storage.browserSessions.create(session);
  if (input.previousSessionId !== undefined && input.previousSessionId !== session.id)
    await endBrowserSession(ctx, input.previousSessionId, 'replaced', { actor: user.id, request });
  ctx.metrics.logins.inc({ result: 'success' });
  await ctx.audit.record('login.success', {
    actor: user.id,
    subject: session.id,
    request,
    detail: { via: 'authorize', clientId: input.clientId },
  });
  return { session, user };
}

import type { RequestInfo, ServerContext } from '../context.js';
import { randomId } from '../crypto/index.js';
import type { BrowserSessionRecord, UserRecord } from '../storage/index.js';
import { type AuthenticateUserDeps, authenticateUser } from '../users/index.js';
import type { SignedIn } from './decide.js';
import { type EndBrowserSessionDeps, endBrowserSession } from './end-browser-session.js';

/** What {@link checkPasswordAtDesk} reads. */
export type CheckPasswordDeps = Pick<ServerContext, 'throttle' | 'metrics'> & AuthenticateUserDeps;

/**
 * The password step at the front desk: the same per-IP throttle and password check as
 * `/api/login` (one answer, ERR_INVALID_CREDENTIALS, and the same work for an unknown user, a
 * wrong password or a disabled account). Starts nothing: the caller decides whether a second
 * factor is due before any browser session exists.
 *
 * @example
 * ```ts
 * const user = await checkPasswordAtDesk(ctx, { username, password, request });
 * ```
 */
export async function checkPasswordAtDesk(
  ctx: CheckPasswordDeps,
  input: { username: string; password: string; request: RequestInfo },
): Promise<UserRecord> {
  await ctx.throttle.hitIp('login', input.request.ip).catch((error: unknown) => {
    ctx.metrics.logins.inc({ result: 'throttled' });
    throw error;
  });
  return authenticateUser(ctx, input.username, input.password, input.request);
}

/** What {@link signInBrowser} reads. */
export type SignInBrowserDeps = Pick<ServerContext, 'metrics' | 'storage' | 'clock' | 'config' | 'audit'> &
  EndBrowserSessionDeps;

/**
 * Signs an authenticated person in at the front desk for an authorization request, with the
 * methods they proved (`amr`) at `authTime`. Audited as `login.success` with `via: 'authorize'`
 * and the amr.
 *
 * When the browser's session is live and is this person's (they authenticated again for
 * `prompt=login` or `max_age`, or proved a second factor on top of it), it is kept and takes the
 * new auth time, amr and a fresh `authorize.browserSessionTtl`: OpenID Connect Core §3.1.2.1 asks
 * for a new authentication, not a sign-out, so its id (the `sid` apps hold) stays and nothing it
 * issued is revoked. Otherwise a new browser session starts; a previous one of someone else ends
 * as a sign-out does (its apps' non-offline sessions revoked, back-channel logout): one browser,
 * one person at the desk, and nothing issued through the other person's session outlives it
 * unnoticed.
 *
 * @example
 * ```ts
 * const signedIn = await signInBrowser(ctx, { user, amr: passwordOnly(), authTime: now, clientId, previousSessionId, request });
 * setBrowserSessionCookie(ctx, reply, signedIn.session);
 * ```
 */
export async function signInBrowser(
  ctx: SignInBrowserDeps,
  input: {
    user: UserRecord;
    /** RFC 8176 methods the person proved for this sign-in. */
    amr: readonly string[];
    /** When the first of them was proven (ms): the session's `auth_time`. */
    authTime: number;
    /** The client the sign-in is for (audit only). */
    clientId: string;
    /** The browser session the request's cookie names: kept for the same person, else ended. */
    previousSessionId: string | undefined;
    request: RequestInfo;
  },
): Promise<SignedIn> {
  const { request, user } = input;
  const now = ctx.clock();
  const update = {
    authTime: input.authTime,
    amr: [...input.amr],
    expiresAt: now + ctx.config.authorize.browserSessionTtl * 1000,
  };
  const previous =
    input.previousSessionId === undefined
      ? undefined
      : await ctx.storage.browserSessions.get(input.previousSessionId);
  // A session's user never changes, so this check holds for the conditional update that follows.
  let session =
    previous !== undefined && previous.userId === user.id
      ? await reauthenticated(ctx, previous, now, update)
      : undefined;
  if (session === undefined) {
    session = {
      id: randomId(),
      userId: user.id,
      ...update,
      createdAt: now,
      lastSeenAt: now,
      endedAt: null,
      endedReason: null,
    };
    await ctx.storage.browserSessions.create(session);
    if (previous !== undefined && previous.userId !== user.id)
      await endBrowserSession(ctx, previous.id, 'replaced', { actor: user.id, request });
  }
  ctx.metrics.logins.inc({ result: 'success' });
  await ctx.audit.record('login.success', {
    actor: user.id,
    subject: session.id,
    request,
    detail: { via: 'authorize', clientId: input.clientId, amr: [...input.amr] },
  });
  return { session, user };
}

/** The live session signed in again, or undefined when it ended or expired meanwhile. */
async function reauthenticated(
  ctx: Pick<ServerContext, 'storage'>,
  previous: BrowserSessionRecord,
  now: number,
  update: { authTime: number; amr: string[]; expiresAt: number },
): Promise<BrowserSessionRecord | undefined> {
  if (!(await ctx.storage.browserSessions.reauthenticate(previous.id, now, update))) return undefined;
  return { ...previous, ...update, lastSeenAt: now };
}

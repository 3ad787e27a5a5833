import type { RequestInfo, ServerContext } from '../context.js';
import { type RevokeSessionDeps, revokeSession } from '../sessions/index.js';

/** What {@link endBrowserSession} and {@link endUserBrowserSessions} read. */
export type EndBrowserSessionDeps = RevokeSessionDeps &
  Pick<ServerContext, 'directory' | 'backchannelLogout'>;

/** Who ended it, and from where (for the audit log). */
export interface EndBrowserSessionOptions {
  actor: string | null;
  request: RequestInfo;
}

/**
 * Ends one browser session (the front desk's single sign-on in one browser): no app signs in
 * through it any more, and every sign-in session issued through it is revoked — its refresh tokens
 * deleted and a `session` event published on the revocation feed — except those granted
 * `offline_access`, which outlive it. Each client with a session from it that registered a
 * `backchannel_logout_uri` is then told in the background (never awaited here). The caller
 * clears the cookie when the request came from that browser.
 *
 * Idempotent: ending an ended session again still revokes what is left of it (a code exchanged
 * in the same moment), but tells no client twice. Returns whether this call ended it.
 *
 * @example
 * ```ts
 * await endBrowserSession(ctx, browserSessionId, 'logout', { actor: userId, request });
 * clearBrowserSessionCookie(reply);
 * ```
 */
export async function endBrowserSession(
  ctx: EndBrowserSessionDeps,
  id: string,
  reason: string,
  opts: EndBrowserSessionOptions,
): Promise<boolean> {
  const ended = await ctx.storage.browserSessions.end(id, ctx.clock(), reason);
  await closeAppSessions(ctx, id, ended, reason, opts);
  return ended;
}

/**
 * Ends every browser session of a user (sign out everywhere, a new password, a disabled account),
 * each as {@link endBrowserSession} does; `keep` spares one (the browser the password was changed
 * in). Returns the ids this call ended.
 *
 * @example
 * ```ts
 * await endUserBrowserSessions(ctx, userId, 'logout_all', { actor: userId, request });
 * ```
 */
export async function endUserBrowserSessions(
  ctx: EndBrowserSessionDeps,
  userId: string,
  reason: string,
  opts: EndBrowserSessionOptions & { keep?: string | null | undefined },
): Promise<string[]> {
  let ended: string[];
  if (opts.keep === undefined || opts.keep === null) {
    ended = await ctx.storage.browserSessions.endByUser(userId, ctx.clock(), reason);
  } else {
    ended = [];
    for (const session of await ctx.storage.browserSessions.listByUser(userId)) {
      if (session.id === opts.keep) continue;
      if (await ctx.storage.browserSessions.end(session.id, ctx.clock(), reason)) ended.push(session.id);
    }
  }
  for (const id of ended) await closeAppSessions(ctx, id, true, reason, opts);
  return ended;
}

/** Revokes the non-offline sessions issued through a browser session; tells the clients once. */
async function closeAppSessions(
  ctx: EndBrowserSessionDeps,
  browserSessionId: string,
  notify: boolean,
  reason: string,
  opts: EndBrowserSessionOptions,
): Promise<void> {
  const sessions = await ctx.storage.sessions.listByBrowserSession(browserSessionId, ctx.clock());
  let revoked = 0;
  for (const session of sessions) {
    if (session.offline === true) continue;
    if (await revokeSession(ctx, session.id, reason, opts)) revoked++;
  }
  if (!notify) return;
  await ctx.audit.record('browser_session.end', {
    actor: opts.actor,
    subject: browserSessionId,
    request: opts.request,
    detail: { reason, revokedSessions: revoked },
  });
  // An offline session's client is told too: the user signed out, only its grant outlives that.
  const told = new Set<string>();
  for (const session of sessions) {
    if (told.has(session.clientId)) continue;
    told.add(session.clientId);
    const client = await ctx.directory.client(session.clientId);
    const uri = client?.backchannelLogoutUri;
    if (client === undefined || uri === undefined || uri === null) continue;
    ctx.backchannelLogout.send({
      clientId: client.id,
      uri,
      userId: session.userId,
      sid: browserSessionId,
    });
  }
}

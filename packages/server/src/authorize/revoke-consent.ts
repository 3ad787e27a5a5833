import type { RequestInfo } from '../context.js';
import { ServerError } from '../errors.js';
import { type RevokeSessionDeps, revokeSession } from '../sessions/index.js';

/** What {@link revokeConsent} reads; each revoked session is published on the revocation feed. */
export type RevokeConsentDeps = RevokeSessionDeps;

/**
 * Forgets what a user allowed a client (the next sign-in there asks again) and revokes every live
 * session the user has at that client, `offline_access` ones included: taking the permission
 * back takes back what it gave. ERR_CONSENT_NOT_FOUND when there was no consent. Returns how many
 * sessions were revoked.
 *
 * @example
 * ```ts
 * await revokeConsent(ctx, { userId, clientId: 'travel' }, { actor: userId, request });
 * ```
 */
export async function revokeConsent(
  ctx: RevokeConsentDeps,
  input: { userId: string; clientId: string },
  opts: { actor: string | null; request: RequestInfo },
): Promise<number> {
  if (!(await ctx.storage.consents.delete(input.userId, input.clientId))) {
    throw new ServerError('ERR_CONSENT_NOT_FOUND');
  }
  const now = ctx.clock();
  const sessions = await ctx.storage.sessions.listByUser(input.userId);
  let revoked = 0;
  for (const session of sessions) {
    if (session.clientId !== input.clientId || session.revokedAt !== null || session.expiresAt <= now)
      continue;
    if (await revokeSession(ctx, session.id, 'consent_revoked', opts)) revoked++;
  }
  await ctx.audit.record('consent.revoke', {
    actor: opts.actor,
    subject: input.clientId,
    request: opts.request,
    detail: { userId: input.userId, revokedSessions: revoked },
  });
  return revoked;
}

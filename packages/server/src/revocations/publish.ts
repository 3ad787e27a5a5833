import type { ServerContext } from '../context.js';
import type { NewRevocationEvent, RevocationEvent } from '../storage/index.js';

/** What publishing a revocation reads: storage, fan-out, metrics, the log, the clock and token lifetimes. */
export type PublishDeps = Pick<
  ServerContext,
  'storage' | 'coordinator' | 'metrics' | 'logger' | 'clock' | 'config'
>;

/** When an event published now stops mattering: no token it could match is still valid. */
export function revocationExpiry(ctx: Pick<ServerContext, 'clock' | 'config'>, now = ctx.clock()): number {
  return now + (ctx.config.tokens.accessTokenTtl + ctx.config.tokens.leeway) * 1000;
}

/**
 * Appends a revocation event to storage (which assigns the cursor) and fans it out to every
 * instance's feed listeners through the coordinator.
 *
 * @example
 * ```ts
 * await publishRevocation(ctx, { type: 'session', sid, at: now, expiresAt: revocationExpiry(ctx, now) });
 * ```
 */
export async function publishRevocation(
  ctx: PublishDeps,
  event: NewRevocationEvent,
): Promise<RevocationEvent> {
  const stored = await ctx.storage.revocations.append(event);
  ctx.metrics.revocations.inc({ type: stored.type });
  try {
    await ctx.coordinator.publishRevocation(stored);
  } catch (err) {
    // Storage has the event; feed readers catch up from it on their next poll.
    ctx.logger.error({ err, cursor: stored.cursor }, 'revocation fan-out failed');
  }
  return stored;
}

/** Publishes a `session` event for each id. */
export async function publishSessionRevocations(ctx: PublishDeps, sessionIds: string[]): Promise<void> {
  const now = ctx.clock();
  for (const sid of sessionIds) {
    await publishRevocation(ctx, { type: 'session', sid, at: now, expiresAt: revocationExpiry(ctx, now) });
  }
}

/**
 * Publishes a `subject` event: every token issued to `sub` up to now (`iat` at or before the
 * revocation's second) is refused by guards and by this server; later tokens are not, so live
 * sessions survive and their next refresh carries the subject's current roles and claims.
 *
 * @example
 * ```ts
 * await publishSubjectRevocation(ctx, userId); // after a demotion
 * ```
 */
export async function publishSubjectRevocation(ctx: PublishDeps, sub: string): Promise<void> {
  const now = ctx.clock();
  await publishRevocation(ctx, {
    type: 'subject',
    sub,
    notBefore: now,
    at: now,
    expiresAt: revocationExpiry(ctx, now),
  });
}

/**
 * Publishes a `role` event: every card whose `roles` claim holds `role` and that was issued up to
 * now (same second rule as `subject`) is refused by guards and by this server. One event however
 * many users hold the role; their sessions survive and the next refresh carries the role's
 * current scopes.
 *
 * @example
 * ```ts
 * await publishRoleRevocation(ctx, 'housekeeping'); // after the role lost a scope
 * ```
 */
export async function publishRoleRevocation(ctx: PublishDeps, role: string): Promise<void> {
  const now = ctx.clock();
  await publishRevocation(ctx, {
    type: 'role',
    role,
    notBefore: now,
    at: now,
    expiresAt: revocationExpiry(ctx, now),
  });
}

/**
 * Publishes a `key` event: guards drop the key and refuse every card it signed, whatever its
 * `iat`. Kept as long as any card signed before now could live; a guard that joins later gets a
 * JWKS without the key.
 *
 * @example
 * ```ts
 * await publishKeyRevocation(ctx, 'k-2030-01');
 * ```
 */
export async function publishKeyRevocation(ctx: PublishDeps, kid: string): Promise<void> {
  const now = ctx.clock();
  await publishRevocation(ctx, { type: 'key', kid, at: now, expiresAt: revocationExpiry(ctx, now) });
}

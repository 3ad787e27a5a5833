import type { RequestInfo, RevocationPublishDeps, ServerContext } from '../context.js';
import { publishKeyRevocation } from '../revocations/index.js';

/** What {@link revokeSigningKey} reads; it publishes a `key` event. */
export type RevokeSigningKeyDeps = Pick<ServerContext, 'keys' | 'audit'> & RevocationPublishDeps;

/**
 * Key compromise: withdraws signing key `kid` from storage and the JWKS, lets the published next
 * key take over when it was the current one, and tells every guard through the revocation feed to
 * drop the key and refuse every card it signed. Audited as `admin.key.revoke`.
 *
 * @example
 * ```ts
 * await revokeSigningKey(ctx, 'k1', { actor: admin.userId, request: requestInfo(req) });
 * ```
 */
export async function revokeSigningKey(
  ctx: RevokeSigningKeyDeps,
  kid: string,
  by: { actor: string; request: RequestInfo },
): Promise<{ revoked: string; current: string | null; next: string | null }> {
  const result = await ctx.keys.revoke(kid);
  await publishKeyRevocation(ctx, kid);
  await ctx.audit.record('admin.key.revoke', {
    actor: by.actor,
    subject: kid,
    request: by.request,
    detail: { ...result },
  });
  return result;
}

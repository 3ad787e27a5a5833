import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';

/**
 * Deletes a client. Its sessions can no longer refresh (the client is gone); access tokens
 * already issued expire on their own.
 *
 * @example
 * ```ts
 * await deleteClient(ctx, 'billing', { actor, request });
 * ```
 */
export async function deleteClient(
  ctx: ServerContext,
  id: string,
  opts: { actor: string; request?: RequestInfo },
): Promise<void> {
  if (!(await ctx.storage.clients.delete(id))) throw new ServerError('ERR_CLIENT_NOT_FOUND');
  ctx.directory.invalidate();
  await ctx.audit.record('admin.client.delete', { actor: opts.actor, subject: id, request: opts.request });
}

/** A client as shown to admins: never the secret hash. */
export function publicClient(client: import('../storage/index.js').ClientRecord) {
  const { secretHash: _secretHash, ...rest } = client;
  return rest;
}

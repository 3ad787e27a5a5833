import type { ServerContext } from '../context.js';
import { safeEqual, sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';

/** Client credentials as presented (from Basic auth or the body). */
export interface ClientCredentials {
  clientId: string | undefined;
  clientSecret: string | undefined;
}

/** What {@link authenticateClient} reads: clients come from the directory cache. */
export type AuthenticateClientDeps = Pick<ServerContext, 'directory'>;

/**
 * Authenticates a client: a confidential client must present its secret; a public client
 * must not present one. With `requireConfidential`, public clients are refused.
 * Every failure is ERR_INVALID_CLIENT (which client ids exist is not revealed by the reason).
 *
 * @example
 * ```ts
 * const client = await authenticateClient(ctx, { clientId, clientSecret }, { requireConfidential: true });
 * ```
 */
export async function authenticateClient(
  ctx: AuthenticateClientDeps,
  credentials: ClientCredentials,
  opts: { requireConfidential?: boolean } = {},
): Promise<ClientRecord> {
  const { clientId, clientSecret } = credentials;
  if (clientId === undefined || clientId === '') throw new ServerError('ERR_INVALID_CLIENT');
  const client = await ctx.directory.client(clientId);
  // Hash even when the client is unknown so the timing does not tell.
  const presented = sha256Hex(clientSecret ?? '');
  if (client === undefined) throw new ServerError('ERR_INVALID_CLIENT');
  if (client.type === 'confidential') {
    if (
      clientSecret === undefined ||
      client.secretHash === null ||
      !safeEqual(presented, client.secretHash)
    ) {
      throw new ServerError('ERR_INVALID_CLIENT');
    }
  } else if (clientSecret !== undefined && clientSecret !== '') {
    throw new ServerError('ERR_INVALID_CLIENT', { message: 'Public clients have no secret' });
  }
  if (opts.requireConfidential && client.type !== 'confidential') throw new ServerError('ERR_INVALID_CLIENT');
  return client;
}

import type { ServerContext } from '../context.js';
import { safeEqual, sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';
import { type ClientAssertionDeps, verifyClientAssertion } from './client-assertion.js';

/** Client credentials as presented (from Basic auth or the body). */
export interface ClientCredentials {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** A `private_key_jwt` assertion (RFC 7523), sent instead of a secret. */
  clientAssertion?: string | undefined;
}

/** What {@link authenticateClient} reads: clients come from the directory cache. */
export type AuthenticateClientDeps = Pick<ServerContext, 'directory'> & ClientAssertionDeps;

/**
 * Authenticates a client: a confidential client must present its secret or a `private_key_jwt`
 * assertion signed by one of its registered keys (a client registered with keys and no secret,
 * only the assertion); a public client must present neither. With `requireConfidential`, public
 * clients are refused.
 * Every failure is ERR_INVALID_CLIENT (which client ids exist is not revealed by the reason).
 *
 * @example
 * ```ts
 * const client = await authenticateClient(ctx, { clientId, clientSecret }, { requireConfidential: true });
 * const signed = await authenticateClient(ctx, { clientId: undefined, clientSecret: undefined, clientAssertion });
 * ```
 */
export async function authenticateClient(
  ctx: AuthenticateClientDeps,
  credentials: ClientCredentials,
  opts: { requireConfidential?: boolean } = {},
): Promise<ClientRecord> {
  const { clientId, clientSecret, clientAssertion } = credentials;
  if (clientAssertion !== undefined) {
    if (clientSecret !== undefined)
      throw new ServerError('ERR_INVALID_CLIENT', { message: 'Use one client authentication method' });
    return verifyClientAssertion(ctx, { assertion: clientAssertion, clientId });
  }
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

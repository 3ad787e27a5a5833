import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';
import { issueAccessToken, resolveGrant } from '../tokens/index.js';

/**
 * The client_credentials grant: a token whose `sub` is the client itself, carrying
 * requested ∩ client scopes; no session and no refresh token.
 *
 * @example
 * ```ts
 * const { accessToken } = await clientCredentials(ctx, { client, scope: 'rooms:read', request });
 * ```
 */
export async function clientCredentials(
  ctx: ServerContext,
  input: {
    client: ClientRecord;
    scope?: string | undefined;
    audience?: string | string[] | undefined;
    request: RequestInfo;
  },
): Promise<{ accessToken: string; expiresIn: number; scope: string }> {
  const { client } = input;
  if (client.type !== 'confidential' || !client.grants.includes('client_credentials')) {
    throw new ServerError('ERR_UNAUTHORIZED_CLIENT');
  }
  await ctx.throttle.hitIp('token', input.request.ip);
  const { scopes, audiences } = await resolveGrant(ctx, {
    client,
    scope: input.scope,
    audience: input.audience,
  });
  const access = await issueAccessToken(ctx, {
    grant: 'client_credentials',
    clientId: client.id,
    audiences,
    scopes,
  });
  return { accessToken: access.accessToken, expiresIn: access.expiresIn, scope: scopes.join(' ') };
}

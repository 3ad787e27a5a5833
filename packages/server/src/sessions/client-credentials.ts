import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';
import {
  type GrantedScopesDeps,
  grantedScopes,
  type IssueAccessTokenDeps,
  issueAccessToken,
  type NamedAudiencesDeps,
  namedAudiences,
  pickCardAudiences,
  type ScopesForDeps,
  scopesFor,
  type TargetInput,
} from '../tokens/index.js';
import { dpopRequired } from './sign-in.js';
import { cardAudience } from './token-set.js';

/** What {@link clientCredentials} reads. */
export type ClientCredentialsDeps = Pick<ServerContext, 'throttle'> &
  NamedAudiencesDeps &
  GrantedScopesDeps &
  ScopesForDeps &
  IssueAccessTokenDeps;

/**
 * The client_credentials grant: a card whose `sub` is the client itself (no `sid`, no `roles`),
 * for one audience, carrying requested ∩ client ∩ audience scopes; no session and no refresh
 * token. Asking only for scopes the client lacks is ERR_INVALID_SCOPE.
 *
 * @example
 * ```ts
 * const { accessToken } = await clientCredentials(ctx, { client, scope: 'rooms:read', resource: 'rooms', request });
 * ```
 */
export async function clientCredentials(
  ctx: ClientCredentialsDeps,
  input: TargetInput & {
    client: ClientRecord;
    scope?: string | undefined;
    dpopJkt?: string | undefined;
    request: RequestInfo;
  },
): Promise<{
  accessToken: string;
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  scope: string;
  audience: string | string[];
}> {
  const { client } = input;
  if (client.type !== 'confidential' || !client.grants.includes('client_credentials')) {
    throw new ServerError('ERR_UNAUTHORIZED_CLIENT');
  }
  if (client.requireDpop && input.dpopJkt === undefined) throw dpopRequired();
  await ctx.throttle.hitIp('token', input.request.ip);
  const named = await namedAudiences(ctx, client, input);
  const audiences = pickCardAudiences(client, client.audiences, named, { several: 'refuse' });
  const scopes = await scopesFor(
    ctx,
    audiences,
    await grantedScopes(ctx, { client, scope: input.scope, refuseEmpty: true }),
  );
  const access = await issueAccessToken(ctx, {
    grant: 'client_credentials',
    clientId: client.id,
    audiences,
    scopes,
    dpopJkt: input.dpopJkt,
  });
  return {
    accessToken: access.accessToken,
    tokenType: input.dpopJkt !== undefined ? 'DPoP' : 'Bearer',
    expiresIn: access.expiresIn,
    scope: scopes.join(' '),
    audience: cardAudience(audiences),
  };
}

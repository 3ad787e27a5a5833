import { ServerError } from '../errors.js';
import type { ClientRecord, UserRecord } from '../storage/index.js';
import {
  defaultScopes,
  type GrantedScopesDeps,
  grantedScopes,
  type NamedAudiencesDeps,
  namedAudiences,
} from '../tokens/index.js';

/**
 * What an authorization request may be granted, by the same rules as the token endpoint: the
 * audiences its `resource` values name (RFC 8707; ids or registered URIs, each allowed for the
 * client), else every audience of the client; scopes = requested (default: all the client's but
 * `offline_access`, which must be asked for) ∩ the client's ∩ what the user's roles grant, identity
 * scopes (`openid`, `profile`, `email`, `offline_access`) being the client's to ask for whatever
 * the roles.
 */

/** The scopes and audiences a code (and the consent behind it) carries. */
export interface AuthorizationGrant {
  scopes: string[];
  audiences: string[];
}

/** What {@link grantFor} reads. */
export type GrantDeps = GrantedScopesDeps;

/**
 * The audience ids of the request, checked when it arrives (before anyone signs in).
 * ERR_INVALID_TARGET when a `resource` is unknown or not the client's.
 *
 * @example
 * ```ts
 * await requestedAudiences(ctx, client, ['https://rooms.example/']); // ['rooms']
 * ```
 */
export async function requestedAudiences(
  ctx: NamedAudiencesDeps,
  client: ClientRecord,
  resources: readonly string[],
): Promise<string[]> {
  const named = await namedAudiences(ctx, client, { resource: [...resources] });
  return named ?? [...client.audiences];
}

/**
 * Scopes asked for that the client may have (identity scopes included; none asked: the client's
 * but `offline_access`), what the sign-in page shows before it knows whose roles count. ERR_INVALID_SCOPE when scopes were asked and the client
 * may have none of them (RFC 6749 §4.1.2.1 `invalid_scope`).
 */
export function requestedScopes(client: ClientRecord, asked: readonly string[]): string[] {
  if (asked.length === 0) return defaultScopes(client);
  const allowed = asked.filter((s) => client.scopes.includes(s));
  if (allowed.length === 0) throw new ServerError('ERR_INVALID_SCOPE');
  return allowed;
}

/**
 * The grant for `user`: the request's audiences, its scopes narrowed to the client's and to what the
 * user's roles grant (identity scopes stay when asked).
 *
 * @example
 * ```ts
 * const grant = await grantFor(ctx, { client, user, scopes: request.scopes, audiences });
 * ```
 */
export async function grantFor(
  ctx: GrantDeps,
  input: { client: ClientRecord; user: UserRecord; scopes: readonly string[]; audiences: readonly string[] },
): Promise<AuthorizationGrant> {
  const scopes = await grantedScopes(ctx, {
    client: input.client,
    scope: input.scopes.length === 0 ? undefined : input.scopes.join(' '),
    roles: input.user.roles,
  });
  return { scopes, audiences: [...input.audiences] };
}

/** Does a stored consent cover every scope and audience of `grant`? */
export function consentCovers(
  consent: { scopes: readonly string[]; audiences: readonly string[] } | undefined,
  grant: AuthorizationGrant,
): boolean {
  if (consent === undefined) return false;
  return (
    grant.scopes.every((s) => consent.scopes.includes(s)) &&
    grant.audiences.every((a) => consent.audiences.includes(a))
  );
}

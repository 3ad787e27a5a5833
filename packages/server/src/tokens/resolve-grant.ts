import type { ServerContext } from '../context.js';
import { DIRECTORY_TTL_MS } from '../directory/index.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';
import { isIdentityScope, OFFLINE_ACCESS } from './identity.js';

/** What `grantedScopes` reads (storage for a role revoked since the directory cached it). */
export type GrantedScopesDeps = Pick<ServerContext, 'directory' | 'storage' | 'revocationIndex' | 'clock'>;

/** Clock skew between instances, on top of the directory cache's lifetime. */
const FRESH_MARGIN_MS = 3000;

/** Most scopes one request may name. */
export const MAX_SCOPES = 100;
// RFC 6749 §3.3 scope-token characters.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/;

/**
 * Parses a space-separated scope parameter; undefined when absent.
 *
 * @example
 * ```ts
 * parseScope('rooms:read pool'); // ['rooms:read', 'pool']
 * ```
 */
export function parseScope(scope: string | undefined): string[] | undefined {
  if (scope === undefined) return undefined;
  const parts = scope.split(' ').filter((s) => s !== '');
  if (parts.length > MAX_SCOPES || parts.some((p) => !SCOPE_TOKEN.test(p)))
    throw new ServerError('ERR_INVALID_SCOPE');
  return [...new Set(parts)];
}

/**
 * The scopes a request without `scope` asks for: every scope of the client but `offline_access`,
 * which OpenID Connect Core §11 wants asked for explicitly (a session that outlives signing out is
 * never granted by default).
 *
 * @example
 * ```ts
 * defaultScopes({ scopes: ['openid', 'offline_access', 'rooms:read'] }); // ['openid', 'rooms:read']
 * ```
 */
export function defaultScopes(client: Pick<ClientRecord, 'scopes'>): string[] {
  return client.scopes.filter((s) => s !== OFFLINE_ACCESS);
}

/**
 * What a grant may carry: requested (default: {@link defaultScopes}, the client's but
 * `offline_access`) ∩ client's scopes ∩ (for users) the scopes their roles grant. Identity scopes
 * (`openid`, `profile`, `email`, `offline_access`) are the client's to ask for whatever the roles,
 * and only in a user's grant (`roles` given): a client's own card never carries them. With
 * `refuseEmpty`, asking only for scopes the client cannot have is ERR_INVALID_SCOPE (RFC 6749
 * §5.2) rather than an empty grant.
 *
 * @example
 * ```ts
 * const scopes = await grantedScopes(ctx, { client, scope: 'admin', roles: user.roles });
 * ```
 */
export async function grantedScopes(
  ctx: GrantedScopesDeps,
  input: { client: ClientRecord; scope?: string | undefined; roles?: string[]; refuseEmpty?: boolean },
): Promise<string[]> {
  const { client } = input;
  const asked = parseScope(input.scope);
  let scopes = (asked ?? defaultScopes(client)).filter(
    (s) => client.scopes.includes(s) && (input.roles !== undefined || !isIdentityScope(s)),
  );
  if (input.roles !== undefined) {
    const granted = new Set<string>();
    // The directory cache lives up to DIRECTORY_TTL_MS and another instance may have just taken a
    // scope from a role: a role revoked that lately is read from storage (which changed before
    // the event was appended), so the card cannot carry the scope it lost.
    if (input.roles.length > 0) await ctx.revocationIndex.sync();
    const since = ctx.clock() - DIRECTORY_TTL_MS - FRESH_MARGIN_MS;
    for (const name of input.roles) {
      const role = ctx.revocationIndex.roleRevokedSince(name, since)
        ? await ctx.storage.roles.get(name)
        : await ctx.directory.role(name);
      for (const s of role?.scopes ?? []) granted.add(s);
    }
    scopes = scopes.filter((s) => granted.has(s) || isIdentityScope(s));
  }
  if (input.refuseEmpty && asked !== undefined && asked.length > 0 && scopes.length === 0)
    throw new ServerError('ERR_INVALID_SCOPE');
  return scopes;
}

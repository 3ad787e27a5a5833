import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';

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
  if (parts.length > 100 || parts.some((p) => !SCOPE_TOKEN.test(p)))
    throw new ServerError('ERR_INVALID_SCOPE');
  return [...new Set(parts)];
}

/**
 * What a token may carry: requested ∩ client's scopes ∩ (for users) the scopes their roles
 * grant; audiences must be registered and allowed for the client (default: all of the client's).
 *
 * @example
 * ```ts
 * const { scopes, audiences } = await resolveGrant(ctx, { client, scope: 'admin', roles: user.roles });
 * ```
 */
export async function resolveGrant(
  ctx: ServerContext,
  input: {
    client: ClientRecord;
    scope?: string | undefined;
    audience?: string | string[] | undefined;
    roles?: string[];
  },
): Promise<{ scopes: string[]; audiences: string[] }> {
  const { client } = input;
  const requested = parseScope(input.scope) ?? client.scopes;
  let scopes = requested.filter((s) => client.scopes.includes(s));
  if (input.roles !== undefined) {
    const granted = new Set<string>();
    for (const name of input.roles) {
      const role = await ctx.directory.role(name);
      for (const s of role?.scopes ?? []) granted.add(s);
    }
    scopes = scopes.filter((s) => granted.has(s));
  }
  const asked =
    input.audience === undefined
      ? undefined
      : (Array.isArray(input.audience) ? input.audience : input.audience.split(' ')).filter(Boolean);
  let audiences: string[];
  if (asked === undefined || asked.length === 0) {
    audiences = client.audiences;
  } else {
    audiences = [...new Set(asked)];
    for (const aud of audiences) {
      if (!client.audiences.includes(aud) || (await ctx.directory.audience(aud)) === undefined) {
        throw new ServerError('ERR_INVALID_TARGET');
      }
    }
  }
  if (audiences.length === 0) {
    throw new ServerError('ERR_INVALID_TARGET', {
      message: 'The client has no audiences to issue a token for',
    });
  }
  return { scopes, audiences };
}

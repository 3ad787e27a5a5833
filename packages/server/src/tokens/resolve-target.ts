import { API_AUDIENCE, API_SCOPES, type ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';
import { isIdentityScope } from './identity.js';

/** What a token request names as its target: RFC 8707 `resource` and/or `audience`. */
export interface TargetInput {
  resource?: string | string[] | undefined;
  audience?: string | string[] | undefined;
}

/** What `namedAudiences` reads (storage for a resource URI the directory has not cached). */
export type NamedAudiencesDeps = Pick<ServerContext, 'directory' | 'storage'>;
/** What `scopesFor` reads. */
export type ScopesForDeps = Pick<ServerContext, 'directory'>;

const list = (value: string | string[] | undefined, split: boolean): string[] =>
  value === undefined
    ? []
    : (Array.isArray(value) ? value : split ? value.split(' ') : [value]).filter((v) => v !== '');

const invalidTarget = (message?: string) =>
  new ServerError('ERR_INVALID_TARGET', message === undefined ? {} : { message });

/**
 * The audiences a token request names, in order, as audience ids: `audience` values are ids,
 * `resource` values are ids or registered resource URIs (RFC 8707). Every one must be registered
 * and allowed for the client, else ERR_INVALID_TARGET. Undefined when nothing is named.
 *
 * @example
 * ```ts
 * const named = await namedAudiences(ctx, client, { resource: 'https://rooms.example/' }); // ['rooms']
 * ```
 */
export async function namedAudiences(
  ctx: NamedAudiencesDeps,
  client: ClientRecord,
  input: TargetInput,
): Promise<string[] | undefined> {
  const ids: string[] = [];
  for (const resource of list(input.resource, false)) {
    const audience =
      (await ctx.directory.audience(resource)) ?? (await ctx.storage.audiences.getByUri(resource));
    if (audience === undefined) throw invalidTarget();
    ids.push(audience.id);
  }
  for (const id of list(input.audience, true)) {
    if ((await ctx.directory.audience(id)) === undefined) throw invalidTarget();
    ids.push(id);
  }
  if (ids.length === 0) return undefined;
  const unique = [...new Set(ids)];
  if (unique.some((id) => !client.audiences.includes(id))) throw invalidTarget();
  return unique;
}

/**
 * The audience(s) one card goes to, out of `granted` (what the client or session may have):
 * - named: the first one named, or, for a client registered with `multiAudience`, all of them —
 *   except that the server's own API audience never shares a card (a sign-in naming it first
 *   gets a `keycard` card, else a card for the others; elsewhere naming it with others is refused);
 * - none named: `keycard` when granted, else a multi-audience client's whole grant, else the only
 *   one (`firstByDefault`: the first, for a session whose first audience got its first card).
 * With `several: 'refuse'`, naming several audiences for a single-audience client is an error.
 *
 * @example
 * ```ts
 * pickCardAudiences(client, ['keycard', 'rooms'], ['rooms']); // ['rooms']
 * ```
 */
export function pickCardAudiences(
  client: ClientRecord,
  granted: readonly string[],
  named: readonly string[] | undefined,
  opts: { several: 'first' | 'refuse'; firstByDefault?: boolean },
): string[] {
  if (named !== undefined && named.length > 0) {
    if (named.some((a) => !granted.includes(a))) throw invalidTarget();
    if (named.length === 1) return [named[0] as string];
    if (client.multiAudience) {
      if (!named.includes(API_AUDIENCE)) return [...named];
      // A sign-in grants them all; its card is either the API's alone or the doors' without it.
      if (opts.several === 'first')
        return named[0] === API_AUDIENCE ? [API_AUDIENCE] : named.filter((a) => a !== API_AUDIENCE);
      throw invalidTarget(`The ${API_AUDIENCE} audience never shares a card with another audience`);
    }
    if (opts.several === 'refuse') throw invalidTarget('One card names one audience');
    return [named[0] as string];
  }
  if (granted.includes(API_AUDIENCE)) return [API_AUDIENCE];
  if (client.multiAudience && granted.length > 0) return [...granted];
  if (granted.length === 1 || (opts.firstByDefault && granted.length > 0)) return [granted[0] as string];
  throw invalidTarget('Name the audience (resource or audience) the card is for');
}

/**
 * Scopes narrowed to what the card's audience(s) understand: a card carries only scopes its
 * door registered (the union for a multi-audience card). The server's own API always
 * understands its own scopes ({@link API_SCOPES}: `admin`, the feed's `revocations:read`).
 * Identity scopes are no audience's: they stay only with `identity` (a user's sign-in or refresh,
 * for `/oauth/userinfo`), whatever the audience, and an audience registering one changes nothing.
 */
export async function scopesFor(
  ctx: ScopesForDeps,
  audiences: readonly string[],
  scopes: readonly string[],
  opts: { identity?: boolean } = {},
) {
  const understood = new Set<string>(audiences.includes(API_AUDIENCE) ? API_SCOPES : []);
  for (const id of audiences)
    for (const s of (await ctx.directory.audience(id))?.scopes ?? []) understood.add(s);
  return scopes.filter((s) => (isIdentityScope(s) ? opts.identity === true : understood.has(s)));
}

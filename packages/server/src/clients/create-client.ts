import type { RequestInfo, ServerContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import { type ClientRecord, StorageConflictError, type TokenExchangeRule } from '../storage/index.js';
import { checkClientJwks } from './client-jwks.js';
import { type ClientRulesDeps, checkClientId, checkClientRecord, normaliseRules } from './client-rules.js';

/** What {@link createClient} reads; it drops the directory cache so the new client is seen at once. */
export type CreateClientDeps = Pick<ServerContext, 'storage' | 'clock' | 'directory' | 'audit'> &
  ClientRulesDeps;

/** Input of {@link createClient}. */
export interface CreateClientInput {
  id: string;
  name?: string;
  type: ClientRecord['type'];
  firstParty?: boolean;
  grants: ClientRecord['grants'];
  audiences?: string[];
  scopes?: string[];
  /** One card may name several audiences (never `keycard` with another). Unsafe; default false. */
  multiAudience?: boolean;
  /** Refuse token requests without a DPoP proof; default false. */
  requireDpop?: boolean;
  /** RFC 8693 rules; needs the token-exchange grant. */
  tokenExchange?: TokenExchangeRule[];
  /** Where the authorization-code flow may send the browser back (needs that grant, which needs one). */
  redirectUris?: string[];
  /** Where RP-initiated logout may send the browser back (needs the authorization_code grant). */
  postLogoutRedirectUris?: string[];
  /** OpenID Connect Back-Channel Logout endpoint: https (http on loopback), no fragment. */
  backchannelLogoutUri?: string | null;
  /**
   * Public keys (a JWK Set) for `private_key_jwt`: confidential clients only; 1-10 asymmetric keys,
   * each with a unique `kid` and an `alg`; null for none.
   */
  jwks?: { keys: Record<string, unknown>[] } | null;
  /**
   * Give a confidential client a generated secret (default true). `false` makes a keys-only
   * (`private_key_jwt`) client, which then needs `jwks`. Public clients never have one.
   */
  secret?: boolean;
}

/**
 * Registers a client. A confidential client gets a random 256-bit secret, returned once and
 * stored only as its SHA-256 hash, unless `secret: false` makes it a keys-only (`private_key_jwt`)
 * client. Audiences must be registered. The id may not be a user's id nor have the shape of one
 * (ERR_CONFLICT), so a client's card never names a user.
 *
 * @example
 * ```ts
 * const { client, secret } = await createClient(ctx, {
 *   id: 'billing', type: 'confidential', grants: ['client_credentials'], audiences: ['rooms'], scopes: ['rooms:read'],
 * });
 * const photos = await createClient(ctx, {
 *   id: 'photos', type: 'public', grants: ['authorization_code', 'refresh_token'],
 *   redirectUris: ['https://photos.example.com/callback'], audiences: ['photos'],
 * });
 * ```
 */
export async function createClient(
  ctx: CreateClientDeps,
  input: CreateClientInput,
  opts: { actor?: string; request?: RequestInfo } = {},
): Promise<{ client: ClientRecord; secret: string | null }> {
  await checkClientId(ctx, input.id);
  if (input.type === 'public' && input.secret === true)
    throw new ServerError('ERR_VALIDATION', { message: 'secret: public clients have no secret' });
  const secret = input.type === 'confidential' && input.secret !== false ? randomToken(32) : null;
  const client: ClientRecord = {
    id: input.id,
    name: input.name ?? input.id,
    type: input.type,
    secretHash: secret === null ? null : sha256Hex(secret),
    firstParty: input.firstParty ?? false,
    grants: [...new Set(input.grants)],
    audiences: [...new Set(input.audiences ?? [])],
    scopes: [...new Set(input.scopes ?? [])],
    multiAudience: input.multiAudience ?? false,
    requireDpop: input.requireDpop ?? false,
    tokenExchange: normaliseRules(input.tokenExchange ?? []),
    redirectUris: [...(input.redirectUris ?? [])],
    postLogoutRedirectUris: [...(input.postLogoutRedirectUris ?? [])],
    backchannelLogoutUri: input.backchannelLogoutUri ?? null,
    jwks: input.jwks === undefined || input.jwks === null ? null : checkClientJwks(input.jwks),
    createdAt: ctx.clock(),
  };
  await checkClientRecord(ctx, client);
  try {
    await ctx.storage.clients.create(client);
  } catch (error) {
    if (error instanceof StorageConflictError) {
      throw new ServerError('ERR_CONFLICT', { message: 'A client with this id exists', cause: error });
    }
    throw error;
  }
  ctx.directory.invalidate();
  if (opts.actor !== undefined) {
    await ctx.audit.record('admin.client.create', {
      actor: opts.actor,
      subject: client.id,
      request: opts.request,
      detail: { type: client.type, grants: client.grants, secret: secret !== null },
    });
  }
  return { client, secret };
}

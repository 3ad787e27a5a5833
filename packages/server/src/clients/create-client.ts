import type { RequestInfo, ServerContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import { type ClientRecord, StorageConflictError } from '../storage/index.js';

/** Input of {@link createClient}. */
export interface CreateClientInput {
  id: string;
  name?: string;
  type: ClientRecord['type'];
  firstParty?: boolean;
  grants: ClientRecord['grants'];
  audiences?: string[];
  scopes?: string[];
}

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Registers a client. A confidential client gets a random 256-bit secret, returned once and
 * stored only as its SHA-256 hash. Audiences must be registered.
 *
 * @example
 * ```ts
 * const { client, secret } = await createClient(ctx, {
 *   id: 'billing', type: 'confidential', grants: ['client_credentials'], audiences: ['rooms'], scopes: ['rooms:read'],
 * });
 * ```
 */
export async function createClient(
  ctx: ServerContext,
  input: CreateClientInput,
  opts: { actor?: string; request?: RequestInfo } = {},
): Promise<{ client: ClientRecord; secret: string | null }> {
  if (!CLIENT_ID.test(input.id)) {
    throw new ServerError('ERR_VALIDATION', { message: 'id: 1-100 characters of A-Z a-z 0-9 . _ : -' });
  }
  if (input.type === 'public' && input.grants.includes('client_credentials')) {
    throw new ServerError('ERR_VALIDATION', {
      message: 'grants: public clients cannot use client_credentials',
    });
  }
  const firstParty = input.firstParty ?? false;
  if (input.grants.includes('password') && !firstParty) {
    throw new ServerError('ERR_VALIDATION', {
      message: 'grants: only first-party clients may use the password grant',
    });
  }
  const audiences = [...new Set(input.audiences ?? [])];
  for (const aud of audiences) {
    if ((await ctx.storage.audiences.get(aud)) === undefined) {
      throw new ServerError('ERR_AUDIENCE_NOT_FOUND', { message: `No such audience: ${aud.slice(0, 100)}` });
    }
  }
  const secret = input.type === 'confidential' ? randomToken(32) : null;
  const client: ClientRecord = {
    id: input.id,
    name: input.name ?? input.id,
    type: input.type,
    secretHash: secret === null ? null : sha256Hex(secret),
    firstParty,
    grants: [...new Set(input.grants)],
    audiences,
    scopes: [...new Set(input.scopes ?? [])],
    createdAt: ctx.clock(),
  };
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
      detail: { type: client.type, grants: client.grants },
    });
  }
  return { client, secret };
}

import type { RequestInfo, RevocationPublishDeps, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { publishSubjectRevocation } from '../revocations/index.js';
import type { ClientRecord } from '../storage/index.js';
import { checkClientJwks } from './client-jwks.js';
import { type ClientRulesDeps, checkClientRecord, normaliseRules } from './client-rules.js';
import type { CreateClientInput } from './create-client.js';

/**
 * Fields of a client an admin may change in place (not its id, type or secret). `null` removes the
 * back-channel logout URI or the keys.
 */
export type UpdateClientInput = Partial<Omit<CreateClientInput, 'id' | 'type' | 'secret'>>;

/** What {@link updateClient} reads; it may publish a `subject` event for the client's own cards. */
export type UpdateClientDeps = Pick<ServerContext, 'storage' | 'directory' | 'audit'> &
  ClientRulesDeps &
  RevocationPublishDeps;

/**
 * Changes a client in place, checked like a new one. Live client_credentials cards of the
 * client are revoked (a `subject` event) since they may carry what it no longer has; its users'
 * sessions keep going and the next refresh applies the change.
 *
 * @example
 * ```ts
 * await updateClient(ctx, 'keycard-web', { requireDpop: true }, { actor, request });
 * await updateClient(ctx, 'photos', { redirectUris: ['https://photos.example.com/cb'] }, { actor, request });
 * ```
 */
export async function updateClient(
  ctx: UpdateClientDeps,
  id: string,
  input: UpdateClientInput,
  opts: { actor?: string; request?: RequestInfo } = {},
): Promise<ClientRecord> {
  const current = await ctx.storage.clients.get(id);
  if (current === undefined) throw new ServerError('ERR_CLIENT_NOT_FOUND');
  const next: ClientRecord = {
    ...current,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.firstParty !== undefined ? { firstParty: input.firstParty } : {}),
    ...(input.grants !== undefined ? { grants: [...new Set(input.grants)] } : {}),
    ...(input.audiences !== undefined ? { audiences: [...new Set(input.audiences)] } : {}),
    ...(input.scopes !== undefined ? { scopes: [...new Set(input.scopes)] } : {}),
    ...(input.multiAudience !== undefined ? { multiAudience: input.multiAudience } : {}),
    ...(input.requireDpop !== undefined ? { requireDpop: input.requireDpop } : {}),
    ...(input.tokenExchange !== undefined ? { tokenExchange: normaliseRules(input.tokenExchange) } : {}),
    ...(input.redirectUris !== undefined ? { redirectUris: [...input.redirectUris] } : {}),
    ...(input.postLogoutRedirectUris !== undefined
      ? { postLogoutRedirectUris: [...input.postLogoutRedirectUris] }
      : {}),
    ...(input.backchannelLogoutUri !== undefined ? { backchannelLogoutUri: input.backchannelLogoutUri } : {}),
    ...(input.jwks !== undefined ? { jwks: input.jwks === null ? null : checkClientJwks(input.jwks) } : {}),
  };
  await checkClientRecord(ctx, next);
  if (!(await ctx.storage.clients.update(next))) throw new ServerError('ERR_CLIENT_NOT_FOUND');
  ctx.directory.invalidate();
  if (current.grants.includes('client_credentials')) await publishSubjectRevocation(ctx, id);
  if (opts.actor !== undefined) {
    await ctx.audit.record('admin.client.update', {
      actor: opts.actor,
      subject: id,
      request: opts.request,
      detail: { fields: Object.keys(input).sort() },
    });
  }
  return next;
}

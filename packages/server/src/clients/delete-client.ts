import type { RequestInfo, RevocationPublishDeps, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { publishSubjectRevocation } from '../revocations/index.js';
import { type RevokeSessionDeps, revokeSession } from '../sessions/index.js';
import { type ListCursor, listCursor } from '../storage/index.js';
import { publicJwks } from './client-jwks.js';

/** What {@link deleteClient} reads; it revokes the client's sessions and publishes a `subject` event. */
export type DeleteClientDeps = Pick<ServerContext, 'storage' | 'clock' | 'directory' | 'audit'> &
  RevokeSessionDeps &
  RevocationPublishDeps;

/**
 * Deletes a client and everything it holds: its users' sessions are revoked (`session` events,
 * so their access tokens stop working too), and its own `client_credentials` tokens (`sub` =
 * client id) are revoked with a `subject` event.
 *
 * @example
 * ```ts
 * await deleteClient(ctx, 'billing', { actor, request });
 * ```
 */
export async function deleteClient(
  ctx: DeleteClientDeps,
  id: string,
  opts: { actor: string; request?: RequestInfo },
): Promise<void> {
  if (!(await ctx.storage.clients.delete(id))) throw new ServerError('ERR_CLIENT_NOT_FOUND');
  await ctx.storage.consents.deleteByClient(id);
  await ctx.storage.authorizationCodes.deleteByClient(id);
  ctx.directory.invalidate();
  const request = opts.request ?? { ip: null, userAgent: null };
  for (const sid of await activeSessionsOf(ctx, id)) {
    await revokeSession(ctx, sid, 'client_deleted', { actor: opts.actor, request });
  }
  await publishSubjectRevocation(ctx, id);
  await ctx.audit.record('admin.client.delete', { actor: opts.actor, subject: id, request: opts.request });
}

const PAGE = 500;

/** Ids of the client's live sessions, collected first (keyset pages, so revoking cannot shift them). */
async function activeSessionsOf(
  ctx: Pick<ServerContext, 'storage' | 'clock'>,
  clientId: string,
): Promise<string[]> {
  const ids: string[] = [];
  const now = ctx.clock();
  let after: ListCursor | undefined;
  for (;;) {
    const sessions = await ctx.storage.sessions.listActive({ limit: PAGE, now, ...(after ? { after } : {}) });
    for (const s of sessions) if (s.clientId === clientId) ids.push(s.id);
    const last = sessions.at(-1);
    if (sessions.length < PAGE || last === undefined) return ids;
    after = listCursor(last, (s) => s.id);
  }
}

/** A client as shown to admins: never the secret hash (only whether there is one), public keys only. */
export function publicClient(client: import('../storage/index.js').ClientRecord) {
  const { secretHash, jwks, ...rest } = client;
  return { ...rest, hasSecret: secretHash !== null, jwks: publicJwks(jwks) };
}

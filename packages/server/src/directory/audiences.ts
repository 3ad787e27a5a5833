import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { type AudienceRecord, StorageConflictError } from '../storage/index.js';

/** Longest audience id (visible ASCII). */
export const MAX_AUDIENCE_ID_LENGTH = 200;
const AUDIENCE_ID = new RegExp(`^[\\x21-\\x7e]{1,${MAX_AUDIENCE_ID_LENGTH}}$`);

/** RFC 8707 §2: an absolute URI without a fragment; `null` clears it. */
function checkUri(uri: string | null): string | null {
  if (uri === null) return null;
  let parsed: URL | undefined;
  try {
    parsed = new URL(uri);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || uri.includes('#') || uri.length > 2000 || !/^[\x21-\x7e]+$/.test(uri))
    throw new ServerError('ERR_VALIDATION', { message: 'uri: an absolute URI without a fragment' });
  return uri;
}

/**
 * Registers (or updates) an audience: a resource server tokens can be issued for, optionally
 * named by an RFC 8707 resource `uri` (unique; ERR_CONFLICT when another audience has it).
 *
 * @example
 * ```ts
 * await saveAudience(ctx, { id: 'rooms', name: 'Rooms', scopes: ['rooms:open'] }, { actor, request });
 * ```
 */
export async function saveAudience(
  ctx: ServerContext,
  input: { id: string; name?: string; scopes?: string[]; uri?: string | null },
  opts: { actor: string; request?: RequestInfo },
): Promise<AudienceRecord> {
  if (!AUDIENCE_ID.test(input.id)) {
    throw new ServerError('ERR_VALIDATION', { message: 'id: 1-200 visible ASCII characters' });
  }
  const existing = await ctx.storage.audiences.get(input.id);
  // One namespace with clients: an ID token's `aud` (a client id) never names an audience.
  if (existing === undefined && (await ctx.storage.clients.get(input.id)) !== undefined) {
    throw new ServerError('ERR_CONFLICT', {
      message: 'id: a client has this id; clients and audiences share one namespace',
    });
  }
  const record: AudienceRecord = {
    id: input.id,
    name: input.name ?? existing?.name ?? input.id,
    scopes: [...new Set(input.scopes ?? existing?.scopes ?? [])],
    uri: input.uri === undefined ? (existing?.uri ?? null) : checkUri(input.uri),
    createdAt: existing?.createdAt ?? ctx.clock(),
  };
  try {
    await ctx.storage.audiences.upsert(record);
  } catch (error) {
    if (error instanceof StorageConflictError)
      throw new ServerError('ERR_CONFLICT', { message: 'uri: another audience has it', cause: error });
    throw error;
  }
  ctx.directory.invalidate();
  await ctx.audit.record('admin.audience.save', {
    actor: opts.actor,
    subject: record.id,
    request: opts.request,
  });
  return record;
}

/** Removes an audience; clients keep the id in their list but can no longer ask for it. */
export async function deleteAudience(
  ctx: ServerContext,
  id: string,
  opts: { actor: string; request?: RequestInfo },
): Promise<void> {
  if (!(await ctx.storage.audiences.delete(id))) throw new ServerError('ERR_AUDIENCE_NOT_FOUND');
  ctx.directory.invalidate();
  await ctx.audit.record('admin.audience.delete', { actor: opts.actor, subject: id, request: opts.request });
}

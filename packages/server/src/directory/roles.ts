import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { publishRoleRevocation } from '../revocations/index.js';
import type { RoleRecord } from '../storage/index.js';

const ROLE_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Creates or updates a role and the scopes it grants. When the role loses a scope, every card that
 * carries the role is revoked (one `role` event, however many users hold it); sessions survive and
 * the next refresh applies the change. Added scopes need no revocation: they arrive with the next refresh.
 *
 * `requireMfa` (left out: the role keeps its setting, false for a new role) makes its holders sign
 * in with a second factor — those without one set one up at their next sign-in; cards already
 * issued are not revoked — and its admins make changes only with a card of such a sign-in.
 *
 * @example
 * ```ts
 * await saveRole(ctx, { name: 'housekeeping', scopes: ['rooms:open'] }, { actor, request });
 * await saveRole(ctx, { name: 'manager', scopes: ['admin'], requireMfa: true }, { actor, request });
 * ```
 */
export async function saveRole(
  ctx: ServerContext,
  input: { name: string; scopes: string[]; requireMfa?: boolean },
  opts: { actor: string; request?: RequestInfo },
): Promise<RoleRecord> {
  if (!ROLE_NAME.test(input.name)) {
    throw new ServerError('ERR_VALIDATION', { message: 'name: 1-64 characters of A-Z a-z 0-9 . _ : -' });
  }
  const existing = await ctx.storage.roles.get(input.name);
  const record: RoleRecord = {
    name: input.name,
    scopes: [...new Set(input.scopes)],
    // Saving scopes alone never drops a role's second-factor requirement.
    requireMfa: input.requireMfa ?? existing?.requireMfa ?? false,
    createdAt: existing?.createdAt ?? ctx.clock(),
  };
  await ctx.storage.roles.upsert(record);
  ctx.directory.invalidate();
  if (existing?.scopes.some((scope) => !record.scopes.includes(scope)))
    await publishRoleRevocation(ctx, record.name);
  await ctx.audit.record('admin.role.save', {
    actor: opts.actor,
    subject: record.name,
    request: opts.request,
    detail: { scopes: record.scopes, requireMfa: record.requireMfa },
  });
  return record;
}

/** Deletes a role (users keep the name, which then grants nothing); cards carrying it are revoked. */
export async function deleteRole(
  ctx: ServerContext,
  name: string,
  opts: { actor: string; request?: RequestInfo },
): Promise<void> {
  if (!(await ctx.storage.roles.delete(name))) throw new ServerError('ERR_ROLE_NOT_FOUND');
  ctx.directory.invalidate();
  await publishRoleRevocation(ctx, name);
  await ctx.audit.record('admin.role.delete', { actor: opts.actor, subject: name, request: opts.request });
}

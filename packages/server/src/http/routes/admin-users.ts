import type { AccountMfa, AdminUserListed, Page } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import { mfaSummary, resetMfa } from '../../mfa/index.js';
import { createUser, deleteUser, updateUser } from '../../users/index.js';
import { authenticate, authenticateAdminChange } from '../bearer.js';
import { parseInput, requestInfo } from '../input.js';
import { pageOf, pageQuery, withAfter } from '../paging.js';
import { wireAccountMfa, wireUser } from '../wire-records.js';

const idParams = z.object({ id: z.string().min(1).max(200) });
const roles = z.array(z.string().min(1).max(64)).max(50);
const claims = z.record(z.string().max(100), z.unknown());
const createBody = z.object({
  username: z.string().max(1024),
  password: z.string().max(4096),
  roles: roles.optional(),
  claims: claims.optional(),
  disabled: z.boolean().optional(),
  email: z.string().max(1024).optional(),
});
const patchBody = z.object({
  roles: roles.optional(),
  disabled: z.boolean().optional(),
  password: z.string().max(4096).optional(),
  claims: claims.optional(),
  email: z.string().max(1024).nullable().optional(),
});

/** `/api/admin/users` and a user's factors, `/api/admin/users/:id/mfa` (scope `admin`). */
export function adminUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const admin = (request: Parameters<typeof authenticate>[1]) =>
    authenticate(ctx, request, { scope: 'admin' });
  // Every change needs a recent sign-in (and a second factor when the admin's role requires one).
  const adminChange = (request: Parameters<typeof authenticate>[1]) => authenticateAdminChange(ctx, request);

  app.get('/api/admin/users', async (request) => {
    await admin(request);
    const q = parseInput(pageQuery, request.query);
    const rows = await ctx.storage.users.list({ limit: q.limit + 1, ...withAfter(q.after) });
    const { items, next } = pageOf(rows, q.limit, (u) => u.id);
    // Who enrolled which factor: two indexed reads per user of the page (at most 100).
    const users = await Promise.all(
      items.map(async (u) => {
        const [totp, passkeys] = await Promise.all([
          ctx.storage.totp.get(u.id),
          ctx.storage.passkeys.listByUser(u.id),
        ]);
        const mfa = { totp: totp !== undefined && totp.confirmedAt !== null, passkeys: passkeys.length };
        return { ...wireUser(u), mfa };
      }),
    );
    return { users, next } satisfies Page<'users', AdminUserListed>;
  });

  app.post('/api/admin/users', async (request, reply) => {
    const caller = await adminChange(request);
    const body = parseInput(createBody, request.body);
    // An address an admin sets is verified: the admin vouches for it (docs/http-api.md).
    const user = await createUser(
      ctx,
      { ...body, emailVerified: true },
      { actor: caller.userId, request: requestInfo(request) },
    );
    return reply.code(201).send(wireUser(user));
  });

  app.patch('/api/admin/users/:id', async (request) => {
    const caller = await adminChange(request);
    const { id } = parseInput(idParams, request.params);
    const body = parseInput(patchBody, request.body);
    const user = await updateUser(ctx, id, body, { actor: caller.userId, request: requestInfo(request) });
    return wireUser(user);
  });

  app.delete('/api/admin/users/:id', async (request, reply) => {
    const caller = await adminChange(request);
    const { id } = parseInput(idParams, request.params);
    await deleteUser(ctx, id, { actor: caller.userId, request: requestInfo(request) });
    return reply.code(204).send();
  });

  app.get('/api/admin/users/:id/mfa', async (request, reply) => {
    await admin(request);
    const { id } = parseInput(idParams, request.params);
    const user = await ctx.storage.users.getById(id);
    if (user === undefined) throw new ServerError('ERR_USER_NOT_FOUND');
    reply.header('cache-control', 'no-store');
    return wireAccountMfa(await mfaSummary(ctx, user)) satisfies AccountMfa;
  });

  // Sessions are left alone: revoking them is its own call (DELETE /api/admin/sessions/:id, disable).
  app.delete('/api/admin/users/:id/mfa', async (request, reply) => {
    const caller = await adminChange(request);
    const { id } = parseInput(idParams, request.params);
    await resetMfa(ctx, id, { actor: caller.userId, request: requestInfo(request) });
    return reply.code(204).send();
  });
}

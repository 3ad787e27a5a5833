import type { AdminAudience, AdminClient, AdminRole, CreatedClient, Page } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createClient,
  deleteClient,
  MAX_CLIENT_JWKS_KEYS,
  MAX_CLIENT_URIS,
  updateClient,
} from '../../clients/index.js';
import type { ServerContext } from '../../context.js';
import { deleteAudience, deleteRole, saveAudience, saveRole } from '../../directory/index.js';
import { TOKEN_EXCHANGE_GRANT } from '../../storage/index.js';
import { authenticate, authenticateAdminChange } from '../bearer.js';
import { parseInput, requestInfo } from '../input.js';
import { pageOf, pageQuery, withAfter } from '../paging.js';
import { wireAudience, wireClient, wireRole } from '../wire-records.js';

const idParams = z.object({ id: z.string().min(1).max(200) });
const nameParams = z.object({ name: z.string().min(1).max(200) });
const names = z.array(z.string().min(1).max(200)).max(100);
/** Sizes only: the client rules say what is wrong with a value (clients/flow-rules.ts, client-jwks.ts). */
const uri = z.string().max(8192);
const uris = z.array(uri).max(MAX_CLIENT_URIS);
const clientFields = {
  name: z.string().max(200).optional(),
  firstParty: z.boolean().optional(),
  grants: z
    .array(
      z.enum(['password', 'refresh_token', 'client_credentials', 'authorization_code', TOKEN_EXCHANGE_GRANT]),
    )
    .min(1)
    .max(5)
    .optional(),
  audiences: names.optional(),
  scopes: names.optional(),
  multiAudience: z.boolean().optional(),
  requireDpop: z.boolean().optional(),
  tokenExchange: z
    .array(z.object({ from: z.string().min(1).max(200), to: z.string().min(1).max(200), scopes: names }))
    .max(100)
    .optional(),
  redirectUris: uris.optional(),
  postLogoutRedirectUris: uris.optional(),
  backchannelLogoutUri: uri.nullable().optional(),
  jwks: z
    .object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_CLIENT_JWKS_KEYS) })
    .nullable()
    .optional(),
};
const clientBody = z.object({
  id: z.string().max(200),
  type: z.enum(['public', 'confidential']),
  ...clientFields,
  grants: clientFields.grants.unwrap(),
  secret: z.boolean().optional(),
});
const clientPatch = z.object(clientFields).strict();
const audienceBody = z.object({
  id: z.string().max(200),
  name: z.string().max(200).optional(),
  scopes: names.optional(),
  uri: z.string().max(2000).nullable().optional(),
});
const roleBody = z.object({
  name: z.string().max(200),
  scopes: names.default([]),
  require_mfa: z.boolean().optional(),
});

/** `/api/admin/clients`, `/api/admin/audiences`, `/api/admin/roles` (scope `admin`). */
export function adminDirectoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const admin = (request: Parameters<typeof authenticate>[1]) =>
    authenticate(ctx, request, { scope: 'admin' });
  // Every change needs a recent sign-in (and a second factor when the admin's role requires one).
  const adminChange = (request: Parameters<typeof authenticate>[1]) => authenticateAdminChange(ctx, request);

  app.get('/api/admin/clients', async (request) => {
    await admin(request);
    const q = parseInput(pageQuery, request.query);
    const rows = await ctx.storage.clients.list({ limit: q.limit + 1, ...withAfter(q.after) });
    const { items, next } = pageOf(rows, q.limit, (r) => r.id);
    return { clients: items.map(wireClient), next } satisfies Page<'clients', AdminClient>;
  });
  app.post('/api/admin/clients', async (request, reply) => {
    const caller = await adminChange(request);
    const body = parseInput(clientBody, request.body);
    const { client, secret } = await createClient(ctx, dropUndefined(body), {
      actor: caller.userId,
      request: requestInfo(request),
    });
    reply.header('cache-control', 'no-store');
    const created: CreatedClient = { ...wireClient(client), ...(secret !== null ? { secret } : {}) };
    return reply.code(201).send(created);
  });
  app.patch('/api/admin/clients/:id', async (request) => {
    const caller = await adminChange(request);
    const { id } = parseInput(idParams, request.params);
    const body = parseInput(clientPatch, request.body);
    const client = await updateClient(ctx, id, dropUndefined(body), {
      actor: caller.userId,
      request: requestInfo(request),
    });
    return wireClient(client);
  });
  app.delete('/api/admin/clients/:id', async (request, reply) => {
    const caller = await adminChange(request);
    const { id } = parseInput(idParams, request.params);
    await deleteClient(ctx, id, { actor: caller.userId, request: requestInfo(request) });
    return reply.code(204).send();
  });

  app.get('/api/admin/audiences', async (request) => {
    await admin(request);
    const q = parseInput(pageQuery, request.query);
    const rows = await ctx.storage.audiences.list({ limit: q.limit + 1, ...withAfter(q.after) });
    const { items, next } = pageOf(rows, q.limit, (r) => r.id);
    return { audiences: items.map(wireAudience), next } satisfies Page<'audiences', AdminAudience>;
  });
  app.post('/api/admin/audiences', async (request, reply) => {
    const caller = await adminChange(request);
    const body = parseInput(audienceBody, request.body);
    const audience = await saveAudience(ctx, dropUndefined(body), {
      actor: caller.userId,
      request: requestInfo(request),
    });
    return reply.code(201).send(wireAudience(audience));
  });
  app.delete('/api/admin/audiences/:id', async (request, reply) => {
    const caller = await adminChange(request);
    const { id } = parseInput(idParams, request.params);
    await deleteAudience(ctx, id, { actor: caller.userId, request: requestInfo(request) });
    return reply.code(204).send();
  });

  app.get('/api/admin/roles', async (request) => {
    await admin(request);
    const q = parseInput(pageQuery, request.query);
    const rows = await ctx.storage.roles.list({ limit: q.limit + 1, ...withAfter(q.after) });
    const { items, next } = pageOf(rows, q.limit, (r) => r.name);
    return { roles: items.map(wireRole), next } satisfies Page<'roles', AdminRole>;
  });
  app.post('/api/admin/roles', async (request, reply) => {
    const caller = await adminChange(request);
    const body = parseInput(roleBody, request.body);
    const role = await saveRole(
      ctx,
      {
        name: body.name,
        scopes: body.scopes,
        ...(body.require_mfa === undefined ? {} : { requireMfa: body.require_mfa }),
      },
      { actor: caller.userId, request: requestInfo(request) },
    );
    return reply.code(201).send(wireRole(role));
  });
  app.delete('/api/admin/roles/:name', async (request, reply) => {
    const caller = await adminChange(request);
    const { name } = parseInput(nameParams, request.params);
    await deleteRole(ctx, name, { actor: caller.userId, request: requestInfo(request) });
    return reply.code(204).send();
  });
}

/** zod's optional fields come out as `key: undefined`; exactOptionalPropertyTypes wants them gone. */
function dropUndefined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

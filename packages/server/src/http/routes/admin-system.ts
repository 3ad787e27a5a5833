import type { AdminKeys, AdminSession, AuditPage, KeyRotation, KeyWithdrawal, Page } from '@keycard/protocol';
import { fromEpochSeconds } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import { revokeSigningKey } from '../../keys/index.js';
import { revokeSession } from '../../sessions/index.js';
import { authenticate, authenticateAdminChange } from '../bearer.js';
import { parseInput, requestInfo } from '../input.js';
import { pageOf, pageQuery, withAfter } from '../paging.js';
import { wireAdminSession, wireAuditEntry, wireKey } from '../wire-records.js';

const idParams = z.object({ id: z.string().min(1).max(200) });
const kidParams = z.object({ kid: z.string().min(1).max(200) });
const id = z.coerce.number().int().min(0);
/** 9999-12-31T23:59:59Z: anything larger is a time in milliseconds sent by mistake. */
const MAX_EPOCH_SECONDS = 253_402_300_799;
/** A whole number of epoch seconds written as plain digits (no sign, exponent, hex or spaces). */
const epochSeconds = z
  .string()
  .regex(/^\d{1,15}$/, 'expected whole seconds since the epoch')
  .transform(Number)
  .pipe(z.number().max(MAX_EPOCH_SECONDS, 'expected seconds since the epoch, not milliseconds'));
const auditQuery = z.object({
  type: z.string().max(100).optional(),
  actor: z.string().max(200).optional(),
  subject: z.string().max(200).optional(),
  since: epochSeconds.optional(),
  until: epochSeconds.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: id.optional(),
});

/** `/api/admin/keys`, `/api/admin/sessions`, `/api/admin/audit` (scope `admin`). */
export function adminSystemRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const admin = (request: Parameters<typeof authenticate>[1]) =>
    authenticate(ctx, request, { scope: 'admin' });
  // Every change needs a recent sign-in (and a second factor when the admin's role requires one).
  const adminChange = (request: Parameters<typeof authenticate>[1]) => authenticateAdminChange(ctx, request);

  app.get('/api/admin/keys', async (request) => {
    await admin(request);
    return { keys: (await ctx.keys.list()).map(wireKey) } satisfies AdminKeys;
  });
  app.post('/api/admin/keys/rotate', async (request) => {
    const caller = await adminChange(request);
    const result = await ctx.keys.rotate();
    await ctx.audit.record('admin.key.rotate', {
      actor: caller.userId,
      subject: result.current,
      request: requestInfo(request),
      detail: { ...result },
    });
    return result satisfies KeyRotation;
  });

  app.post('/api/admin/keys/:kid/revoke', async (request) => {
    const caller = await adminChange(request);
    const { kid } = parseInput(kidParams, request.params);
    const withdrawn: KeyWithdrawal = await revokeSigningKey(ctx, kid, {
      actor: caller.userId,
      request: requestInfo(request),
    });
    return withdrawn;
  });

  app.get('/api/admin/sessions', async (request) => {
    await admin(request);
    const q = parseInput(pageQuery, request.query);
    const rows = await ctx.storage.sessions.listActive({
      limit: q.limit + 1,
      ...withAfter(q.after),
      now: ctx.clock(),
    });
    const { items: sessions, next } = pageOf(rows, q.limit, (s) => s.id);
    const names = new Map<string, string | undefined>();
    for (const s of sessions) {
      if (!names.has(s.userId)) names.set(s.userId, (await ctx.storage.users.getById(s.userId))?.username);
    }
    return {
      sessions: sessions.map((s) => wireAdminSession(s, names.get(s.userId) ?? null)),
      next,
    } satisfies Page<'sessions', AdminSession>;
  });
  app.delete('/api/admin/sessions/:id', async (request, reply) => {
    const caller = await adminChange(request);
    const { id } = parseInput(idParams, request.params);
    if ((await ctx.storage.sessions.get(id)) === undefined) throw new ServerError('ERR_SESSION_NOT_FOUND');
    await revokeSession(ctx, id, 'admin', { actor: caller.userId, request: requestInfo(request) });
    return reply.code(204).send();
  });

  app.get('/api/admin/audit', async (request) => {
    await admin(request);
    const q = parseInput(auditQuery, request.query);
    await ctx.audit.flush(); // what this instance recorded so far is part of the answer
    const events = await ctx.storage.audit.list({
      ...(q.type !== undefined ? { type: q.type } : {}),
      ...(q.actor !== undefined ? { actor: q.actor } : {}),
      ...(q.subject !== undefined ? { subject: q.subject } : {}),
      // Seconds on the wire: [since, until) covers whole seconds in storage's milliseconds.
      ...(q.since !== undefined ? { since: fromEpochSeconds(q.since) } : {}),
      ...(q.until !== undefined ? { until: fromEpochSeconds(q.until) } : {}),
      ...(q.before !== undefined ? { beforeId: q.before } : {}),
      limit: q.limit,
    });
    // The next page is `?before=<next>` (ids are unique and newest first); null after a short page.
    const last = events.at(-1);
    return {
      events: events.map(wireAuditEntry),
      next: events.length === q.limit && last?.id !== undefined ? String(last.id) : null,
    } satisfies AuditPage;
  });
}

import type { AccountConsents, AccountSessions, Me, RegisteredUser } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { revokeConsent } from '../../authorize/revoke-consent.js';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import { revokeSession } from '../../sessions/index.js';
import { changePassword, createUser } from '../../users/index.js';
import { authenticate, requireAdminStepUp, requireRecentAuth } from '../bearer.js';
import { parseInput, requestInfo } from '../input.js';
import { wireAccountConsent, wireAccountSession } from '../wire-records.js';

const idParams = z.object({ id: z.string().min(1).max(200) });
const clientParams = z.object({ clientId: z.string().min(1).max(200) });
const passwordBody = z.object({ currentPassword: z.string().max(4096), newPassword: z.string().max(4096) });
const registerBody = z.object({ username: z.string().max(1024), password: z.string().max(4096) });

/** `/api/me`, `/api/sessions`, `/api/account/consents`, `/api/password`, `/api/register`. */
export function apiAccountRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/me', async (request) => {
    const caller = await authenticate(ctx, request);
    const user = await ctx.storage.users.getById(caller.userId);
    if (user === undefined || user.disabled) throw new ServerError('ERR_INVALID_TOKEN');
    return {
      id: user.id,
      username: user.username,
      roles: user.roles,
      claims: user.claims,
      session_id: caller.sessionId,
      scope: caller.scopes.join(' '),
      aud: caller.claims.aud as string, // authenticate() checked it is exactly the API audience
      email: user.email,
      email_verified: user.email !== null && user.emailVerifiedAt !== null,
    } satisfies Me;
  });

  app.get('/api/sessions', async (request) => {
    const caller = await authenticate(ctx, request);
    const now = ctx.clock();
    const sessions = await ctx.storage.sessions.listByUser(caller.userId);
    return {
      sessions: sessions
        .filter((s) => s.revokedAt === null && s.expiresAt > now)
        .map((s) => wireAccountSession(s, caller.sessionId)),
    } satisfies AccountSessions;
  });

  app.delete('/api/sessions/:id', async (request, reply) => {
    const caller = await authenticate(ctx, request);
    const { id } = parseInput(idParams, request.params);
    const session = await ctx.storage.sessions.get(id);
    // Someone else's session looks exactly like a missing one to a non-admin.
    if (session === undefined || (session.userId !== caller.userId && !caller.scopes.includes('admin'))) {
      throw new ServerError('ERR_SESSION_NOT_FOUND');
    }
    const reason = session.userId === caller.userId ? 'logout' : 'admin';
    // Ending someone else's session is an admin change.
    if (reason === 'admin') await requireAdminStepUp(ctx, caller);
    await revokeSession(ctx, id, reason, { actor: caller.userId, request: requestInfo(request) });
    return reply.code(204).send();
  });

  app.get('/api/account/consents', async (request) => {
    const caller = await authenticate(ctx, request);
    const consents = await ctx.storage.consents.listByUser(caller.userId);
    const wire = [];
    for (const consent of consents) {
      const client = await ctx.directory.client(consent.clientId);
      wire.push(wireAccountConsent(consent, client?.name ?? consent.clientId));
    }
    return { consents: wire } satisfies AccountConsents;
  });

  app.delete('/api/account/consents/:clientId', async (request, reply) => {
    const caller = await authenticate(ctx, request);
    const { clientId } = parseInput(clientParams, request.params);
    await revokeConsent(
      ctx,
      { userId: caller.userId, clientId },
      { actor: caller.userId, request: requestInfo(request) },
    );
    return reply.code(204).send();
  });

  app.post('/api/password', async (request, reply) => {
    const caller = await authenticate(ctx, request, { firstParty: true });
    requireRecentAuth(ctx, caller);
    const body = parseInput(passwordBody, request.body);
    await changePassword(
      ctx,
      {
        userId: caller.userId,
        currentPassword: body.currentPassword,
        newPassword: body.newPassword,
        keepSessionId: caller.sessionId,
      },
      requestInfo(request),
    );
    return reply.code(204).send();
  });

  app.post('/api/register', async (request, reply) => {
    if (!ctx.config.registration.enabled) throw new ServerError('ERR_REGISTRATION_DISABLED');
    const info = requestInfo(request);
    await ctx.throttle.hitIp('register', info.ip);
    const body = parseInput(registerBody, request.body);
    const user = await createUser(ctx, {
      username: body.username,
      password: body.password,
      roles: [...ctx.config.registration.roles],
    });
    await ctx.audit.record('user.register', { actor: user.id, subject: user.id, request: info });
    const registered: RegisteredUser = { id: user.id, username: user.username, roles: user.roles };
    return reply.code(201).send(registered);
  });
}

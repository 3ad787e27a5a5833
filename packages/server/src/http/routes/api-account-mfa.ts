import type { AccountMfa, RecoveryCodes } from '@keycard/protocol';
import { MFA_API } from '@keycard/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import {
  mfaSummary,
  regenerateRecoveryCodes,
  removePasskey,
  removeTotp,
  renamePasskey,
} from '../../mfa/index.js';
import type { UserRecord } from '../../storage/index.js';
import { authenticate, type Caller, requireRecentAuth } from '../bearer.js';
import { parseInput, requestInfo } from '../input.js';
import { wireAccountMfa } from '../wire-records.js';

const idParams = z.object({ id: z.string().min(1).max(200) });
const renameBody = z.object({ name: z.string().max(1024) });

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/**
 * The caller and their user record: a card of a user that is gone or disabled is no card, and one
 * of a third-party client may not touch the account's factors (ERR_FORBIDDEN).
 */
async function account(
  ctx: ServerContext,
  request: FastifyRequest,
  opts: { recent?: boolean } = {},
): Promise<{ caller: Caller; user: UserRecord }> {
  const caller = await authenticate(ctx, request, { firstParty: true });
  if (opts.recent === true) requireRecentAuth(ctx, caller);
  const user = await ctx.storage.users.getById(caller.userId);
  if (user === undefined || user.disabled) throw new ServerError('ERR_INVALID_TOKEN');
  return { caller, user };
}

/**
 * The account page's factors: `GET /api/account/mfa`, `PATCH|DELETE /api/account/passkeys/:id`,
 * `DELETE /api/account/mfa/totp`, `POST /api/account/mfa/recovery-codes`. Removing a factor and
 * new recovery codes need a recent sign-in (`mfa.recentAuthMaxAge`); reading and renaming do not.
 */
export function apiAccountMfaRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(MFA_API.account, async (request, reply) => {
    const { user } = await account(ctx, request);
    noStore(reply);
    return wireAccountMfa(await mfaSummary(ctx, user)) satisfies AccountMfa;
  });

  app.patch(`${MFA_API.accountPasskeys}/:id`, async (request, reply) => {
    const { user } = await account(ctx, request);
    const { id } = parseInput(idParams, request.params);
    const { name } = parseInput(renameBody, request.body);
    await renamePasskey(ctx, user.id, id, name, { actor: user.id, request: requestInfo(request) });
    return reply.code(204).send();
  });

  app.delete(`${MFA_API.accountPasskeys}/:id`, async (request, reply) => {
    const { user } = await account(ctx, request, { recent: true });
    const { id } = parseInput(idParams, request.params);
    await removePasskey(ctx, user, id, { actor: user.id, request: requestInfo(request) });
    return reply.code(204).send();
  });

  app.delete(MFA_API.accountTotp, async (request, reply) => {
    const { user } = await account(ctx, request, { recent: true });
    await removeTotp(ctx, user, { actor: user.id, request: requestInfo(request) });
    return reply.code(204).send();
  });

  app.post(MFA_API.accountRecoveryCodes, async (request, reply) => {
    const { user } = await account(ctx, request, { recent: true });
    const codes = await regenerateRecoveryCodes(ctx, user.id, {
      actor: user.id,
      request: requestInfo(request),
    });
    noStore(reply);
    return { recovery_codes: codes } satisfies RecoveryCodes;
  });
}

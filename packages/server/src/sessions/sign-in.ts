import type { RequestInfo, ServerContext } from '../context.js';
import { randomId } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { ClientRecord, SessionRecord } from '../storage/index.js';
import { issueAccessToken, resolveGrant } from '../tokens/index.js';
import { authenticateUser } from '../users/index.js';
import { createRefreshToken, publicUser, type TokenSet } from './token-set.js';

/** Input of {@link signIn}; the client is already authenticated. */
export interface SignInInput {
  username: string;
  password: string;
  client: ClientRecord;
  scope?: string | undefined;
  audience?: string | string[] | undefined;
  request: RequestInfo;
}

/**
 * The password grant: checks the credentials (throttled, no enumeration), starts a session,
 * and issues an access token plus the session's first refresh token.
 *
 * @example
 * ```ts
 * const tokens = await signIn(ctx, { username, password, client, request });
 * ```
 */
export async function signIn(ctx: ServerContext, input: SignInInput): Promise<TokenSet> {
  const { client, request } = input;
  if (!client.firstParty || !client.grants.includes('password'))
    throw new ServerError('ERR_UNAUTHORIZED_CLIENT');
  await ctx.throttle.hitIp('login', request.ip).catch((error: unknown) => {
    ctx.metrics.logins.inc({ result: 'throttled' });
    throw error;
  });
  const user = await authenticateUser(ctx, input.username, input.password, request);
  const { scopes, audiences } = await resolveGrant(ctx, {
    client,
    scope: input.scope,
    audience: input.audience,
    roles: user.roles,
  });
  const now = ctx.clock();
  const session: SessionRecord = {
    id: randomId(),
    userId: user.id,
    clientId: client.id,
    audiences,
    scopes,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + ctx.config.sessions.absoluteTtl * 1000,
    revokedAt: null,
    revokedReason: null,
    ip: request.ip,
    userAgent: request.userAgent?.slice(0, 512) ?? null,
    dpopJkt: null,
  };
  await ctx.storage.sessions.create(session);
  const refreshToken = client.grants.includes('refresh_token')
    ? await createRefreshToken(ctx, session, now)
    : null;
  const access = await issueAccessToken(ctx, {
    grant: 'password',
    clientId: client.id,
    audiences,
    scopes,
    user,
    sessionId: session.id,
  });
  ctx.metrics.logins.inc({ result: 'success' });
  await ctx.audit.record('login.success', {
    actor: user.id,
    subject: session.id,
    request,
    detail: { clientId: client.id },
  });
  return {
    accessToken: access.accessToken,
    tokenType: 'Bearer',
    expiresIn: access.expiresIn,
    refreshToken,
    scope: scopes.join(' '),
    sessionId: session.id,
    user: publicUser(user),
  };
}

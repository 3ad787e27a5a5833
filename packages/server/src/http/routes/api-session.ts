import type { ApiTokenSet, IdTokenField } from '@keycard/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { endBrowserSession, endUserBrowserSessions } from '../../authorize/end-browser-session.js';
import { authenticateClient } from '../../clients/index.js';
import { type ServerContext, WEB_CLIENT_ID } from '../../context.js';
import { ServerError } from '../../errors.js';
import {
  refreshSession,
  revokeSession,
  revokeUserSessions,
  signIn,
  signOutWithRefreshToken,
  type TokenSet,
} from '../../sessions/index.js';
import { authenticate, bearerToken } from '../bearer.js';
import { browserSessionIdFrom, clearBrowserSessionCookie } from '../browser-session.js';
import { clearSessionCookies, refreshTokenFromCookie, setSessionCookies } from '../cookies.js';
import { tokenRequestProof } from '../dpop.js';
import { parseInput, requestInfo } from '../input.js';

const target = z.union([z.string().max(2048), z.array(z.string().max(2048)).max(20)]).optional();
const loginBody = z.object({
  username: z.string().max(1024),
  password: z.string().max(4096),
  client_id: z.string().max(200).optional(),
  scope: z.string().max(4096).optional(),
  audience: target,
  resource: target,
  cookie: z.boolean().optional(),
});
const refreshBody = z.object({
  refresh_token: z.string().max(1024).optional(),
  client_id: z.string().max(200).optional(),
  scope: z.string().max(4096).optional(),
  audience: target,
  resource: target,
});
const logoutBody = z.object({
  refresh_token: z.string().max(1024).optional(),
  client_id: z.string().max(200).optional(),
});

/** The first-party JSON API only serves public clients: a secret must never sit in a browser. */
async function publicClient(ctx: ServerContext, clientId: string | undefined) {
  return authenticateClient(ctx, { clientId: clientId ?? WEB_CLIENT_ID, clientSecret: undefined });
}

function sendTokens(
  ctx: ServerContext,
  reply: FastifyReply,
  tokens: TokenSet,
  cookie: boolean,
): ApiTokenSet & IdTokenField {
  reply.header('cache-control', 'no-store');
  if (cookie && tokens.refreshToken !== null) {
    setSessionCookies(reply, tokens.refreshToken, ctx.config.sessions.absoluteTtl);
  }
  return {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    audience: tokens.audience,
    ...(!cookie && tokens.refreshToken !== null ? { refresh_token: tokens.refreshToken } : {}),
    scope: tokens.scope,
    session_id: tokens.sessionId,
    user: tokens.user,
    ...(tokens.idToken !== undefined ? { id_token: tokens.idToken } : {}),
  };
}

/** `/api/login`, `/api/refresh`, `/api/logout`, `/api/logout-all`. */
export function apiSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/login', async (request, reply) => {
    const body = parseInput(loginBody, request.body);
    const client = await publicClient(ctx, body.client_id);
    const tokens = await signIn(ctx, {
      username: body.username,
      password: body.password,
      client,
      scope: body.scope,
      audience: body.audience,
      resource: body.resource,
      dpopJkt: await tokenRequestProof(ctx, request, '/api/login'),
      request: requestInfo(request),
    });
    return sendTokens(ctx, reply, tokens, body.cookie === true);
  });

  app.post('/api/refresh', async (request, reply) => {
    const body = parseInput(refreshBody, request.body);
    const fromCookie = body.refresh_token === undefined ? refreshTokenFromCookie(request) : undefined;
    const refreshToken = body.refresh_token ?? fromCookie;
    if (refreshToken === undefined)
      throw new ServerError('ERR_UNAUTHENTICATED', { message: 'No refresh token' });
    const client = await publicClient(ctx, body.client_id);
    try {
      const tokens = await refreshSession(ctx, {
        refreshToken,
        client,
        scope: body.scope,
        audience: body.audience,
        resource: body.resource,
        dpopJkt: await tokenRequestProof(ctx, request, '/api/refresh'),
        request: requestInfo(request),
      });
      return sendTokens(ctx, reply, tokens, fromCookie !== undefined);
    } catch (error) {
      if (fromCookie !== undefined && error instanceof ServerError && error.code === 'ERR_INVALID_GRANT') {
        clearSessionCookies(reply);
      }
      throw error;
    }
  });

  app.post('/api/logout', async (request, reply) => {
    const body = parseInput(logoutBody, request.body);
    const info = requestInfo(request);
    // Whose live session this request ended: only that proves who is signing out.
    let signedOut: string | undefined;
    if (body.refresh_token !== undefined) {
      signedOut = (await signOutWithRefreshToken(ctx, body.refresh_token, { request: info }))?.userId;
    } else {
      const fromCookie = refreshTokenFromCookie(request);
      if (fromCookie !== undefined) {
        signedOut = (await signOutWithRefreshToken(ctx, fromCookie, { request: info }))?.userId;
      } else if (bearerToken(request) !== undefined) {
        const caller = await authenticate(ctx, request);
        await revokeSession(ctx, caller.sessionId, 'logout', { actor: caller.userId, request: info });
        signedOut = caller.userId;
      } else {
        throw new ServerError('ERR_UNAUTHENTICATED', { message: 'No refresh token or access token' });
      }
    }
    // Signing out at the front desk also ends this browser's single sign-on to the apps — when it is
    // the same person's. The cookie alone proves nothing: a form on another page of the site can
    // post a made-up (or its own) refresh token along with it.
    const browserSessionId = browserSessionIdFrom(ctx, request);
    const browser =
      browserSessionId === undefined ? undefined : await ctx.storage.browserSessions.get(browserSessionId);
    if (browser !== undefined && signedOut !== undefined && browser.userId === signedOut) {
      await endBrowserSession(ctx, browser.id, 'logout', { actor: signedOut, request: info });
      clearBrowserSessionCookie(reply);
    }
    clearSessionCookies(reply);
    return reply.code(204).send();
  });

  app.post('/api/logout-all', async (request, reply) => {
    const caller = await authenticate(ctx, request);
    const opts = { actor: caller.userId, request: requestInfo(request) };
    // Browser sessions first: their apps are told (back-channel) while their sessions are still listed.
    await endUserBrowserSessions(ctx, caller.userId, 'logout_all', opts);
    await revokeUserSessions(ctx, caller.userId, 'logout_all', opts);
    clearBrowserSessionCookie(reply);
    clearSessionCookies(reply);
    return reply.code(204).send();
  });
}

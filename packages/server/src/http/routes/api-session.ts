import type { ApiTokenSet, IdTokenField } from '@keycard/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { endBrowserSession, endUserBrowserSessions } from '../../authorize/end-browser-session.js';
import { authenticateClient } from '../../clients/index.js';
import { type ServerContext, WEB_CLIENT_ID } from '../../context.js';
import { ServerError } from '../../errors.js';
import {
  exchangeAuthorizationCode,
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
  /** A second factor next to the password: six digits, or a recovery code. */
  totp: z.string().max(16).optional(),
  recovery_code: z.string().max(64).optional(),
});
const codeLoginBody = z.object({
  code: z.string().min(1).max(1024),
  code_verifier: z.string().max(1024),
  redirect_uri: z.string().min(1).max(2048),
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

/**
 * Whether `/api/logout` may end the browser session of its SSO cookie: the request comes from the
 * server's own pages (the issuer's origin, or the host the request reached), an origin listed in
 * `cors.origins`, or no web page at all (no `Origin`). The cookie is SameSite=Lax, so a form that
 * another page of the same site posts carries it too; that page must not sign the user out of
 * every app behind their back (the end-session endpoint asks for confirmation for the same reason).
 */
function mayEndSingleSignOn(ctx: ServerContext, request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === new URL(ctx.issuer).origin || ctx.config.cors.origins.includes(origin)) return true;
  // The pages as reached (http://localhost:4000 for an issuer on 127.0.0.1:4000, say).
  return URL.canParse(origin) && new URL(origin).host === request.headers.host;
}

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

/** `/api/login`, `/api/login/code`, `/api/refresh`, `/api/logout`, `/api/logout-all`. */
export function apiSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/login', async (request, reply) => {
    const body = parseInput(loginBody, request.body);
    if (body.totp !== undefined && body.recovery_code !== undefined)
      throw new ServerError('ERR_VALIDATION', { message: 'totp, recovery_code: send one second factor' });
    const client = await publicClient(ctx, body.client_id);
    const tokens = await signIn(ctx, {
      username: body.username,
      password: body.password,
      client,
      scope: body.scope,
      audience: body.audience,
      resource: body.resource,
      dpopJkt: await tokenRequestProof(ctx, request, '/api/login'),
      secondFactor:
        body.totp !== undefined
          ? { kind: 'totp', code: body.totp }
          : body.recovery_code !== undefined
            ? { kind: 'recovery_code', code: body.recovery_code }
            : undefined,
      request: requestInfo(request),
    });
    return sendTokens(ctx, reply, tokens, body.cookie === true);
  });

  // The web app's end of the code flow: its code exchanged like at /oauth/token (PKCE, the code's
  // DPoP key), answered like /api/login with the cookies, so the refresh token never reaches script.
  app.post('/api/login/code', async (request, reply) => {
    const body = parseInput(codeLoginBody, request.body);
    const client = await publicClient(ctx, WEB_CLIENT_ID);
    const tokens = await exchangeAuthorizationCode(ctx, {
      code: body.code,
      redirectUri: body.redirect_uri,
      codeVerifier: body.code_verifier,
      client,
      dpopJkt: await tokenRequestProof(ctx, request, '/api/login/code'),
      request: requestInfo(request),
    });
    return sendTokens(ctx, reply, tokens, true);
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
      // The session is over (ERR_MFA_REQUIRED: revoked, its person must sign in with a second factor).
      if (
        fromCookie !== undefined &&
        error instanceof ServerError &&
        (error.code === 'ERR_INVALID_GRANT' || error.code === 'ERR_MFA_REQUIRED')
      ) {
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
    // Signing out at the front desk also ends this browser's single sign-on to the apps — when the
    // request comes from the server's own pages (or a listed origin) and the browser session is the
    // same person's. The cookie alone proves nothing: a form on another page of the site can post a
    // made-up (or its own) refresh token along with it.
    const browserSessionId = mayEndSingleSignOn(ctx, request)
      ? browserSessionIdFrom(ctx, request)
      : undefined;
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

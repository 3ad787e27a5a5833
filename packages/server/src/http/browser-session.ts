import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { safeEqual } from '../crypto/index.js';
import type { BrowserSessionRecord } from '../storage/index.js';

/**
 * The front desk's browser session (single sign-on for the authorization-code flow) lives in a
 * `__Host-` cookie: Secure, Path=/, no Domain (a sibling subdomain cannot plant it), HttpOnly
 * (no script reads it), SameSite=Lax (a top-level navigation from an app to /oauth/authorize
 * carries it, a cross-site POST or fetch does not).
 *
 * The session's id is the ID tokens' `sid`, which every client sees, so the cookie is never the
 * id alone: it is `{id}.{mac}` with an HMAC under a key derived from the master key. Knowing a
 * `sid` does not give its cookie.
 */
export const BROWSER_SESSION_COOKIE = '__Host-keycard_sso';
const MAC_INFO = 'keycard browser-session cookie v1';
const CSRF_INFO = 'keycard browser-session csrf v1';

function mac(ctx: Pick<ServerContext, 'sealer'>, id: string, info: string): string {
  return ctx.sealer.mac(id, info).subarray(0, 24).toString('base64url');
}

/** The cookie value for a browser session id. */
export function browserSessionCookieValue(ctx: Pick<ServerContext, 'sealer'>, id: string): string {
  return `${id}.${mac(ctx, id, MAC_INFO)}`;
}

/** Sets the cookie; it lasts until the session's `expiresAt`. */
export function setBrowserSessionCookie(
  ctx: Pick<ServerContext, 'sealer' | 'clock'>,
  reply: FastifyReply,
  session: Pick<BrowserSessionRecord, 'id' | 'expiresAt'>,
): void {
  const maxAge = Math.max(1, Math.floor((session.expiresAt - ctx.clock()) / 1000));
  reply.setCookie(BROWSER_SESSION_COOKIE, browserSessionCookieValue(ctx, session.id), {
    secure: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge,
  });
}

/** Clears the cookie (sign-out at the front desk, RP-initiated logout). */
export function clearBrowserSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(BROWSER_SESSION_COOKIE, { path: '/', secure: true, sameSite: 'lax', httpOnly: true });
}

/** The browser session id the request's cookie names, when its MAC holds; never a storage call. */
export function browserSessionIdFrom(
  ctx: Pick<ServerContext, 'sealer'>,
  request: FastifyRequest,
): string | undefined {
  const value = request.cookies[BROWSER_SESSION_COOKIE];
  if (typeof value !== 'string' || value.length > 200) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const id = value.slice(0, dot);
  return safeEqual(value.slice(dot + 1), mac(ctx, id, MAC_INFO)) ? id : undefined;
}

/**
 * The live browser session of the request (cookie MAC valid, not ended, not expired, its user
 * still there is the caller's business), else undefined.
 */
export async function currentBrowserSession(
  ctx: Pick<ServerContext, 'sealer' | 'storage' | 'clock'>,
  request: FastifyRequest,
): Promise<BrowserSessionRecord | undefined> {
  const id = browserSessionIdFrom(ctx, request);
  if (id === undefined) return undefined;
  const session = await ctx.storage.browserSessions.get(id);
  if (session === undefined || session.endedAt !== null || session.expiresAt <= ctx.clock()) return undefined;
  return session;
}

/**
 * The CSRF token of a browser session for the consent and logout forms: derived from the session
 * id under its own key, handed to the page in a same-origin JSON answer and sent back in the
 * `X-CSRF-Token` header. A cross-site page can neither read it nor compute it.
 */
export function browserSessionCsrf(ctx: Pick<ServerContext, 'sealer'>, sessionId: string): string {
  return mac(ctx, sessionId, CSRF_INFO);
}

/** Whether the request's `X-CSRF-Token` header is the session's CSRF token. */
export function hasBrowserSessionCsrf(
  ctx: Pick<ServerContext, 'sealer'>,
  request: FastifyRequest,
  sessionId: string,
): boolean {
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' && safeEqual(header, browserSessionCsrf(ctx, sessionId));
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomToken, safeEqual } from '../crypto/index.js';
import { ServerError } from '../errors.js';

// `__Host-`: the browser accepts the cookie only with Secure, Path=/ and no Domain, so a sibling
// subdomain or a plain-http page cannot plant or overwrite it (RFC 6265bis §4.1.3.2).
export const REFRESH_COOKIE = '__Host-keycard_rt';
export const CSRF_COOKIE = '__Host-keycard_csrf';

/**
 * Sets the browser session cookies: the refresh token (HttpOnly; Secure; SameSite=Strict;
 * Path=/) and a readable double-submit CSRF token. Secure stays on even for localhost:
 * browsers treat http://localhost as a secure context and keep Secure cookies it sets.
 */
export function setSessionCookies(reply: FastifyReply, refreshToken: string, maxAgeSeconds: number): void {
  const common = { secure: true, sameSite: 'strict' as const, maxAge: maxAgeSeconds, path: '/' };
  reply.setCookie(REFRESH_COOKIE, refreshToken, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, randomToken(24), { ...common, httpOnly: false });
}

/** Clears both cookies (sign-out). */
export function clearSessionCookies(reply: FastifyReply): void {
  reply.clearCookie(REFRESH_COOKIE, { path: '/', secure: true, sameSite: 'strict', httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, { path: '/', secure: true, sameSite: 'strict' });
}

/**
 * The refresh token from the cookie, after checking the `X-CSRF-Token` header against the
 * `__Host-keycard_csrf` cookie; undefined when there is no refresh cookie.
 */
export function refreshTokenFromCookie(request: FastifyRequest): string | undefined {
  const token = request.cookies[REFRESH_COOKIE];
  if (token === undefined || token === '') return undefined;
  const cookie = request.cookies[CSRF_COOKIE];
  const header = request.headers['x-csrf-token'];
  if (
    typeof cookie !== 'string' ||
    typeof header !== 'string' ||
    cookie === '' ||
    !safeEqual(cookie, header)
  ) {
    throw new ServerError('ERR_CSRF');
  }
  return token;
}

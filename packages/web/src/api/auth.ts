/** Sign-in, refresh and sign-out calls. The refresh token never leaves the HttpOnly cookie. */
import { apiRequest } from './http.js';
import type { TokenResponse } from './types.js';

/** POST /api/login with `cookie: true`: the server sets `__Host-keycard_rt` (HttpOnly) and `__Host-keycard_csrf`. */
export function login(username: string, password: string): Promise<TokenResponse> {
  return apiRequest<TokenResponse>('/api/login', {
    method: 'POST',
    body: { username, password, cookie: true },
  });
}

/** POST /api/refresh with the cookie and the CSRF header; rotates the refresh cookie. */
export function refresh(): Promise<TokenResponse> {
  return apiRequest<TokenResponse>('/api/refresh', {
    method: 'POST',
    body: {},
    csrf: true,
    timeoutMs: 15_000,
  });
}

/** POST /api/logout: cookie + CSRF, and the Bearer token so the session ends even without the cookie. */
export function logout(token: string | undefined): Promise<void> {
  return apiRequest<void>('/api/logout', { method: 'POST', body: {}, csrf: true, token });
}

/** POST /api/logout-all (Bearer): every session of the user. */
export function logoutAll(token: string): Promise<void> {
  return apiRequest<void>('/api/logout-all', { method: 'POST', token, csrf: true });
}

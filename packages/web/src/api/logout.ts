/**
 * The sign-out confirmation page's calls (`#/logout?l=…`): no card, only this browser's
 * single-sign-on cookie (HttpOnly, sent by the browser) and its CSRF token.
 */
import { AUTHORIZE_API, type LogoutDetails, type LogoutResult } from '@keycard/protocol';
import { apiRequest } from './http.js';

/**
 * POST /api/authorize/logout/details: which app asks, who is signed in, the CSRF token.
 *
 * @example
 * const details = await logoutDetails(l);
 */
export function logoutDetails(logout: string): Promise<LogoutDetails> {
  return apiRequest<LogoutDetails>(AUTHORIZE_API.logoutDetails, { method: 'POST', body: { logout } });
}

/**
 * POST /api/authorize/logout: signs out of the front desk (confirm) or not; where to go next.
 *
 * @example
 * const { redirect } = await confirmLogout(l, true, details.csrf);
 */
export function confirmLogout(
  logout: string,
  confirm: boolean,
  csrf: string | undefined,
): Promise<LogoutResult> {
  return apiRequest<LogoutResult>(AUTHORIZE_API.logout, {
    method: 'POST',
    body: { logout, confirm },
    csrf,
  });
}

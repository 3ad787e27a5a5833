/**
 * What the email pages say for each error code of the server (one sentence a person can act on;
 * the server's own message for anything else).
 */
import { AppError, messageOf } from '../../lib/errors.js';

/** The one answer for a mailed link that is unknown, used or expired (the server does not tell them apart). */
export const LINK_INVALID = 'This link is used or expired; ask for a new one.';

/**
 * The sentence for a failed email-page call.
 *
 * @example
 * setError(emailPageError(err));
 */
export function emailPageError(err: unknown): string {
  if (!(err instanceof AppError)) return messageOf(err);
  switch (err.code) {
    case 'ERR_EMAIL_TOKEN_INVALID':
      return LINK_INVALID;
    case 'ERR_MAIL_NOT_CONFIGURED':
      return 'This front desk sends no mail. Ask the hotel’s staff to help you into your account.';
    case 'ERR_SIGNUP_DISABLED':
      return 'Sign-up is off at this front desk. Ask the hotel’s staff for an account.';
    case 'ERR_RATE_LIMITED':
      return `Too many attempts. Try again in ${err.retryAfter ?? 60} s.`;
    default:
      return messageOf(err);
  }
}

/**
 * Takes a mailed token off the address bar and out of the history entry at once (a copied link,
 * the back button or a screenshot of the address bar never carries it again); the page keeps it
 * in memory. `route` is what the address shows instead (e.g. `/reset`).
 *
 * @example
 * useEffect(() => hideToken('/reset'), []);
 */
export function hideToken(route: string): void {
  if (typeof window === 'undefined') return;
  window.history.replaceState(window.history.state, '', `${window.location.pathname}#${route}`);
}

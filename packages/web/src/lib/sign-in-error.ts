/**
 * What a sign-in form says when the password check fails: one message for every wrong credential
 * (it never says whether the user exists), a countdown when throttled.
 */
import { AppError } from './errors.js';

/** One message for every wrong credential: it never says whether the user exists. */
export const WRONG_CREDENTIALS = 'Wrong username or password';

export type SignInError =
  | { kind: 'message'; text: string; code: string }
  | { kind: 'throttled'; until: number; code: string };

/**
 * The error to show for a failed sign-in at `now` (ms).
 *
 * @example
 * setError(signInErrorFor(err, Date.now()));
 */
export function signInErrorFor(err: unknown, now: number): SignInError {
  if (err instanceof AppError) {
    if (err.status === 429)
      return { kind: 'throttled', until: now + (err.retryAfter ?? 60) * 1000, code: err.code };
    if (err.status === 401 || err.status === 403)
      return { kind: 'message', text: WRONG_CREDENTIALS, code: err.code };
    if (err.status === 0) {
      return {
        kind: 'message',
        text: 'Cannot reach the server. Check your connection and try again.',
        code: err.code,
      };
    }
    return { kind: 'message', text: `Sign-in failed: ${err.message}`, code: err.code };
  }
  return { kind: 'message', text: 'Sign-in failed.', code: 'ERR_UNKNOWN' };
}

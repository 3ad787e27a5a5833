/**
 * What the second-factor steps of the sign-in pages say when the server refuses: type the code
 * again (ERR_MFA_INVALID), start again with the password (ERR_LOGIN_REQUIRED: the pending sign-in
 * expired or is not this request's), or wait (ERR_RATE_LIMITED, with a countdown).
 */
import { AppError } from './errors.js';
import { passkeyCancelled } from './passkeys.js';

export type FactorError =
  | { kind: 'message'; text: string; code: string }
  | { kind: 'restart'; text: string; code: string }
  | { kind: 'throttled'; until: number; code: string };

/** Which factor was tried: the message names it. */
export type FactorKind = 'totp' | 'recovery_code' | 'passkey' | 'enrol';

const INVALID: Record<FactorKind, string> = {
  totp: 'That code did not work. Type the code your app shows now.',
  recovery_code: 'That recovery code did not work. Each one works once: check it, or try another.',
  passkey: 'That passkey was not accepted here. Try again, or use another way.',
  enrol: 'That code did not work. Type the code your app shows now.',
};

/**
 * The error to show after a refused factor at `now` (ms); undefined when the person merely closed
 * the passkey prompt.
 *
 * @example
 * setError(factorErrorFor(err, 'totp', Date.now()));
 */
export function factorErrorFor(err: unknown, kind: FactorKind, now: number): FactorError | undefined {
  if (!(err instanceof AppError)) {
    if (passkeyCancelled(err)) return undefined;
    // Only the browser's WebAuthn calls throw anything but AppError here.
    return kind === 'passkey' || kind === 'enrol'
      ? {
          kind: 'message',
          text: 'The passkey could not be used in this browser. Try again, or use another way.',
          code: 'ERR_PASSKEY_BROWSER',
        }
      : { kind: 'message', text: 'Something went wrong.', code: 'ERR_UNKNOWN' };
  }
  if (err.status === 429)
    return { kind: 'throttled', until: now + (err.retryAfter ?? 60) * 1000, code: err.code };
  if (err.code === 'ERR_MFA_INVALID' || err.code === 'ERR_PASSKEY_INVALID')
    return { kind: 'message', text: INVALID[kind], code: err.code };
  if (err.code === 'ERR_LOGIN_REQUIRED' || err.code === 'ERR_CSRF')
    return {
      kind: 'restart',
      text: 'This sign-in took too long or was interrupted. Start again with your password.',
      code: err.code,
    };
  if (err.status === 0)
    return {
      kind: 'message',
      text: 'Cannot reach the server. Check your connection and try again.',
      code: err.code,
    };
  return { kind: 'message', text: `Sign-in failed: ${err.message}`, code: err.code };
}

import { ServerError } from '../errors.js';

/**
 * Checks a new password's length in Unicode code points (no composition rules, per NIST 800-63B).
 *
 * @example
 * ```ts
 * checkPasswordPolicy(newPassword, { minLength: 8, maxLength: 1024 });
 * ```
 */
export function checkPasswordPolicy(
  password: string,
  policy: { minLength: number; maxLength: number },
): void {
  const length = [...password].length;
  if (length < policy.minLength || length > policy.maxLength) {
    throw new ServerError('ERR_WEAK_PASSWORD', {
      message: `Passwords must be ${policy.minLength} to ${policy.maxLength} characters long`,
    });
  }
}

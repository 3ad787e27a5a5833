/**
 * The authentication methods references (RFC 8176) the server writes into sessions, codes and
 * cards: the one place that spells them out (issue 13 contract §1). Each call returns a new array,
 * so a caller may keep or change it.
 */

/** RFC 8176 values keycard produces: password, one-time code, hardware-bound key, multiple factors. */
export type AmrValue = 'pwd' | 'otp' | 'hwk' | 'mfa';

/** A second factor a person proves after (or, for a passkey, instead of) the password. */
export type SecondFactor = 'totp' | 'recovery_code' | 'passkey';

/** Every {@link AmrValue}, for checking values read back from a sealed token. */
export const AMR_VALUES: readonly AmrValue[] = ['pwd', 'otp', 'hwk', 'mfa'];

/** Every {@link SecondFactor}. */
export const SECOND_FACTORS: readonly SecondFactor[] = ['totp', 'recovery_code', 'passkey'];

/**
 * A sign-in with the password alone.
 *
 * @example
 * ```ts
 * passwordOnly(); // ['pwd']
 * ```
 */
export function passwordOnly(): AmrValue[] {
  return ['pwd'];
}

/**
 * A sign-in with the password and a second factor. A recovery code is a one-time code like a
 * TOTP code (`otp`); a passkey is a key held in hardware (`hwk`).
 *
 * @example
 * ```ts
 * passwordWith('totp'); // ['pwd', 'otp', 'mfa']
 * passwordWith('passkey'); // ['pwd', 'hwk', 'mfa']
 * ```
 */
export function passwordWith(factor: SecondFactor): AmrValue[] {
  return factor === 'passkey' ? ['pwd', 'hwk', 'mfa'] : ['pwd', 'otp', 'mfa'];
}

/**
 * A sign-in with a passkey alone, its user verification required: the authenticator's PIN or
 * biometric is the second factor, so it counts as two.
 *
 * @example
 * ```ts
 * passkeyAlone(); // ['hwk', 'mfa']
 * ```
 */
export function passkeyAlone(): AmrValue[] {
  return ['hwk', 'mfa'];
}

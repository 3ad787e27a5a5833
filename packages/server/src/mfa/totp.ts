import { HOTP, Secret, TOTP } from 'otpauth';
import { randomToken, safeEqual } from '../crypto/index.js';

/**
 * TOTP as RFC 6238 and every authenticator app do it by default: HMAC-SHA-1, 6 digits, 30-second
 * steps. A code of the step before or after the current one is accepted too (clocks drift, people
 * type slowly); the caller refuses a step at or before the last one it accepted (replay).
 */
export const TOTP_ALGORITHM = 'SHA1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;
/** 160 bits: the HMAC-SHA-1 key length RFC 4226 §4 recommends. */
export const TOTP_SECRET_BYTES = 20;

const CODE = new RegExp(`^[0-9]{${TOTP_DIGITS}}$`);

/**
 * A new random TOTP secret (160 bits), base32 as authenticator apps take it (32 characters).
 *
 * @example
 * ```ts
 * const secret = generateTotpSecret(); // 'JBSWY3DPEHPK3PXP…'
 * ```
 */
export function generateTotpSecret(): string {
  const bytes = Buffer.from(randomToken(TOTP_SECRET_BYTES), 'base64url');
  return Secret.fromHex(bytes.toString('hex')).base32;
}

/**
 * The `otpauth://totp/…` URI an authenticator app scans: `issuerLabel` (the configured
 * `mfa.rpName`) names the service, `accountName` the person (their username).
 *
 * @example
 * ```ts
 * otpauthUri({ issuerLabel: 'keycard', accountName: 'alice', secret });
 * // 'otpauth://totp/keycard:alice?issuer=keycard&secret=…&algorithm=SHA1&digits=6&period=30'
 * ```
 */
export function otpauthUri(input: { issuerLabel: string; accountName: string; secret: string }): string {
  return new TOTP({
    issuer: input.issuerLabel,
    label: input.accountName,
    secret: Secret.fromBase32(input.secret),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

/**
 * The TOTP time step at `now` (ms since the epoch): RFC 6238's T.
 *
 * @example
 * ```ts
 * currentStep(59_000); // 1
 * ```
 */
export function currentStep(now: number): number {
  return Math.floor(now / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * Checks a 6-digit `code` against `secret` (base32) at `now` (ms): the time step it matched
 * (current, previous or next), or undefined. Anything but exactly six ASCII digits is refused
 * before any HMAC. All three candidates are computed and compared in constant time, so the
 * answer's timing does not say which step was closest.
 *
 * @example
 * ```ts
 * const step = verifyTotp(secret, body.totp, ctx.clock());
 * if (step === undefined || !(await ctx.storage.totp.useStep(userId, step))) fail();
 * ```
 */
export function verifyTotp(secret: string, code: string, now: number): number | undefined {
  if (typeof code !== 'string' || !CODE.test(code)) return undefined;
  const key = Secret.fromBase32(secret);
  const step = currentStep(now);
  let matched: number | undefined;
  // Current step first: should a code match two steps (one chance in a million), the nearest wins.
  for (const candidate of [step, step - 1, step + 1]) {
    const expected = HOTP.generate({
      secret: key,
      algorithm: TOTP_ALGORITHM,
      digits: TOTP_DIGITS,
      counter: candidate,
    });
    if (safeEqual(expected, code) && matched === undefined) matched = candidate;
  }
  return matched;
}

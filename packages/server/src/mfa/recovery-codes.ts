import { randomToken, type Sealer } from '../crypto/index.js';
import { ServerError } from '../errors.js';

/**
 * Recovery codes: shown once when a person first sets up a second factor, each usable once in its
 * place. `xxxxx-xxxxx` over 32 lower-case letters and digits without the look-alikes `0 o 1 l`:
 * 10 characters of 5 bits, 50 bits each.
 */
export const RECOVERY_CODE_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;
const GROUP = 5;
const LENGTH = 2 * GROUP;
/** Longest input looked at: a code with spaces or dashes around every character still fits. */
const MAX_INPUT_LENGTH = 64;
/** HKDF info of the recovery-code MAC key: one key for this purpose only. */
const MAC_INFO = 'keycard recovery-code mac v1';

/**
 * Ten new recovery codes, `xxxxx-xxxxx`, from the CSPRNG (each byte's low 5 bits: 256 is a
 * multiple of 32, so every character is uniform).
 *
 * @example
 * ```ts
 * const codes = generateRecoveryCodes();
 * await ctx.storage.recoveryCodes.replace(userId, codes.map((c) => hashRecoveryCode(ctx, c)), now);
 * ```
 */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = Buffer.from(randomToken(LENGTH), 'base64url');
    const chars = Array.from(bytes, (b) => RECOVERY_CODE_ALPHABET[b & 31]).join('');
    return `${chars.slice(0, GROUP)}-${chars.slice(GROUP)}`;
  });
}

/**
 * The canonical form (`xxxxx-xxxxx`) of a recovery code as a person typed it — any case, with or
 * without spaces and dashes — or undefined when it cannot be one.
 *
 * @example
 * ```ts
 * normalizeRecoveryCode(' ABCDE FGHJK '); // 'abcde-fghjk'
 * normalizeRecoveryCode('abc'); // undefined
 * ```
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return undefined;
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  if (compact.length !== LENGTH) return undefined;
  for (const char of compact) if (!RECOVERY_CODE_ALPHABET.includes(char)) return undefined;
  return `${compact.slice(0, GROUP)}-${compact.slice(GROUP)}`;
}

/**
 * What storage keeps of a recovery code: HMAC-SHA-256 of its canonical form, hex (64 characters),
 * under a key derived from the master key. Not a bare SHA-256: 50 bits are few enough that one
 * sweep of 2^50 fast hashes would open every stolen row at once; without the master key there is
 * nothing to sweep. Throws ERR_MFA_INVALID for text that cannot be a code (check with
 * {@link normalizeRecoveryCode} first to tell a typo from a wrong code).
 *
 * @example
 * ```ts
 * const code = normalizeRecoveryCode(body.recovery_code);
 * if (code === undefined || !(await ctx.storage.recoveryCodes.consume(userId, hashRecoveryCode(ctx, code), now))) fail();
 * ```
 */
export function hashRecoveryCode(ctx: { sealer: Sealer }, code: string): string {
  const canonical = normalizeRecoveryCode(code);
  if (canonical === undefined) throw new ServerError('ERR_MFA_INVALID');
  return ctx.sealer.mac(canonical, MAC_INFO).toString('hex');
}

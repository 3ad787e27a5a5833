import { ServerError } from '../errors.js';

/** Longest passkey name, in characters. */
export const MAX_PASSKEY_NAME_LENGTH = 64;

/**
 * A passkey's name as a person typed it, trimmed: 1–64 characters without control characters,
 * else ERR_VALIDATION (naming the field, never echoing it).
 *
 * @example
 * ```ts
 * passkeyName('  Work laptop '); // 'Work laptop'
 * ```
 */
export function passkeyName(input: string): string {
  const name = typeof input === 'string' ? input.normalize('NFC').trim() : '';
  const length = [...name].length;
  if (length === 0 || length > MAX_PASSKEY_NAME_LENGTH || /\p{Cc}/u.test(name)) {
    throw new ServerError('ERR_VALIDATION', {
      message: `Invalid request: name: 1-${MAX_PASSKEY_NAME_LENGTH} characters, no control characters`,
    });
  }
  return name;
}

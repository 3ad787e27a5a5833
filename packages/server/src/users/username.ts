import { ServerError } from '../errors.js';
import { usernameKey } from '../storage/index.js';

// Letters and digits of any script, combining marks, and . _ - @ (no spaces, controls or look-alike punctuation).
const USERNAME = /^[\p{L}\p{N}\p{M}._@-]{1,64}$/u;

/**
 * Normalises (NFC, trimmed) and validates a new username; returns it with its lookup key.
 *
 * @example
 * ```ts
 * checkUsername(' Zoë '); // { username: 'Zoë', key: 'zoë' }
 * ```
 */
export function checkUsername(raw: string): { username: string; key: string } {
  const username = raw.normalize('NFC').trim();
  if (!USERNAME.test(username)) throw new ServerError('ERR_INVALID_USERNAME');
  return { username, key: usernameKey(username) };
}

/** The lookup key of a username typed at sign-in (never throws: unknown shapes simply match nobody). */
export function lookupKey(raw: string): string {
  return usernameKey(raw.normalize('NFC').trim());
}

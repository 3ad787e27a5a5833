import { randomBytes } from 'node:crypto';

/**
 * An opaque secret of `bytes` random bytes, base64url (refresh tokens, client secrets, CSRF).
 *
 * @example
 * ```ts
 * const refreshToken = randomToken(); // 43 characters, 256 bits
 * ```
 */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A random identifier (user ids, session ids, jti): 16 bytes, base64url. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

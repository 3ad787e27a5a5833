import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 of a UTF-8 string as lower-case hex: how refresh tokens and client secrets are stored.
 *
 * @example
 * ```ts
 * await storage.refreshTokens.get(sha256Hex(token));
 * ```
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** SHA-256 of a UTF-8 string as standard base64 (a CSP `'sha256-…'` source for an inline style). */
export function sha256Base64(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64');
}

/** Constant-time string comparison (lengths compared first; length is not secret here). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

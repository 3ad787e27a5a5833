import { randomFillSync } from 'node:crypto';

// One CSPRNG call per 4 KiB instead of one per id: ids and tokens are on every request's path.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function take(bytes: number): Buffer {
  if (bytes > POOL_SIZE) return randomFillSync(Buffer.allocUnsafe(bytes));
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + bytes));
  // Never hand the same bytes out twice.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return out;
}

/**
 * An opaque secret of `bytes` random bytes, base64url (refresh tokens, client secrets, CSRF).
 *
 * @example
 * ```ts
 * const refreshToken = randomToken(); // 43 characters, 256 bits
 * ```
 */
export function randomToken(bytes = 32): string {
  return take(bytes).toString('base64url');
}

/** A random identifier (user ids, session ids, jti): 16 bytes, base64url. */
export function randomId(): string {
  return take(16).toString('base64url');
}

/** Strict base64url (RFC 7515 §2, RFC 4648 §5 without padding). */

/** Encodes bytes or a UTF-8 string as base64url without padding. */
export function encode(input: Uint8Array | string): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input)).toString('base64url');
}

/**
 * Decodes canonical base64url, or returns undefined. Node's decoder is lenient (it accepts `+`, `/`,
 * padding, whitespace and non-zero trailing bits), so the bytes are re-encoded and compared: only the
 * one canonical spelling of a byte string passes. Two native calls, no regex.
 */
export function decode(segment: string): Buffer | undefined {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

/** True when `segment` is canonical base64url (the empty string included). */
export function isCanonical(segment: string): boolean {
  return decode(segment) !== undefined;
}

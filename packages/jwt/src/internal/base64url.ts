/** Strict base64url (RFC 7515 §2, RFC 4648 §5 without padding). */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes or a UTF-8 string as base64url without padding. */
export function encode(input: Uint8Array | string): string {
  if (typeof input === 'string') return Buffer.from(input, 'utf8').toString('base64url');
  // A Buffer is encoded in place; any other Uint8Array is viewed (not copied) as a Buffer.
  return (
    Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  ).toString('base64url');
}

/**
 * Decodes canonical base64url, or returns undefined. Node's decoder is lenient: it also reads `+` and
 * `/`, skips or stops at `=` and any other foreign character, and ignores trailing bits. So: no `+` or
 * `/`, a length that is not 1 mod 4, an output of exactly the expected length (a skipped character
 * always shortens it), and zero trailing bits in the last character. A property test checks this
 * against the slower "re-encode and compare" definition on this Node version. No regex.
 */
export function decode(segment: string): Buffer | undefined {
  // Node's decoder keeps only the low byte of each UTF-16 unit ('ő' U+0151 reads as 'Q'), so a
  // non-ASCII character would let a respelled segment decode to the same bytes.
  if (Buffer.byteLength(segment, 'utf8') !== segment.length) return undefined;
  return decodeAscii(segment);
}

/** {@link decode} for a segment already known to be ASCII (a token that passed `split`). */
export function decodeAscii(segment: string): Buffer | undefined {
  const n = segment.length;
  const rest = n & 3;
  // `=` needs no search: it carries no bits, so it always shortens the output (caught below).
  if (rest === 1 || segment.indexOf('+') !== -1 || segment.indexOf('/') !== -1) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.length !== (n >> 2) * 3 + (rest === 0 ? 0 : rest - 1)) return undefined;
  if (rest !== 0) {
    const code = segment.charCodeAt(n - 1);
    const value = code < 128 ? VALUE[code]! : -1;
    if (value < 0 || (value & (rest === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return bytes;
}

/** True when `segment` is canonical base64url (the empty string included). */
export function isCanonical(segment: string): boolean {
  return decode(segment) !== undefined;
}

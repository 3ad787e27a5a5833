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
  const length = decodedLength(segment);
  if (length < 0) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.length === length && canonicalTail(segment) ? bytes : undefined;
}

/**
 * {@link decodeAscii} into `target` from offset 0 (no allocation): the byte count, or -1 when the
 * segment is not canonical. `target` must hold {@link maxDecodedLength}(segment.length) bytes.
 */
export function decodeAsciiInto(segment: string, target: Buffer): number {
  const length = decodedLength(segment);
  if (length < 0) return -1;
  // Node's decoder skips a character it does not know, so a short write means a foreign character.
  return target.write(segment, 0, length, 'base64url') === length && canonicalTail(segment) ? length : -1;
}

/** Bytes a canonical segment of `n` characters decodes to (an upper bound for any segment). */
export function maxDecodedLength(n: number): number {
  const rest = n & 3;
  return (n >> 2) * 3 + (rest === 0 ? 0 : rest - 1);
}

/** The decoded length, or -1 for a length that is 1 mod 4 or a `+` or `/` (read by Node's decoder). */
function decodedLength(segment: string): number {
  const n = segment.length;
  // `=` needs no search: it carries no bits, so it always shortens the output (caught by the caller).
  if ((n & 3) === 1 || segment.indexOf('+') !== -1 || segment.indexOf('/') !== -1) return -1;
  return maxDecodedLength(n);
}

/** Zero trailing bits in the last character (Node's decoder ignores them). */
function canonicalTail(segment: string): boolean {
  const n = segment.length;
  const rest = n & 3;
  if (rest === 0) return true;
  const code = segment.charCodeAt(n - 1);
  const value = code < 128 ? VALUE[code]! : -1;
  return value >= 0 && (value & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** True when `segment` is canonical base64url (the empty string included). */
export function isCanonical(segment: string): boolean {
  return decode(segment) !== undefined;
}

/** Strict parsing of a JWS compact token, shared by decodeJWT and the verifier. No crypto here. */
import { isUtf8 } from 'node:buffer';
import { JWSInvalid, JWTInvalid } from '../errors.js';
import { decodeAscii, decodeAsciiInto, maxDecodedLength } from '../internal/base64url.js';
import { DEFAULT_MAX_DEPTH, parseJSONObject } from '../internal/json.js';
import type { JWSHeader, JWTClaims } from '../types.js';

/** Default maximum token size in bytes (checked before anything else). */
export const DEFAULT_MAX_TOKEN_SIZE = 16_384;

/**
 * Checks size and shape and returns the positions of the two dots. Exactly three segments; header and
 * payload non-empty (an empty signature is refused later, after the header says which alg it claims).
 */
export function split(token: unknown, maxTokenSize: number): [number, number] {
  if (typeof token !== 'string') throw new JWSInvalid('token must be a string');
  if (token.length > maxTokenSize) throw new JWSInvalid('token exceeds the size limit');
  // ASCII only (base64url and dots): this also makes the size limit a byte count.
  if (Buffer.byteLength(token, 'utf8') !== token.length) throw new JWSInvalid('token must be ASCII');
  const first = token.indexOf('.');
  if (first <= 0) throw new JWSInvalid('token must have three segments');
  const second = token.indexOf('.', first + 1);
  if (second < 0 || second === first + 1) throw new JWSInvalid('token must have three segments');
  if (token.indexOf('.', second + 1) !== -1) throw new JWSInvalid('token must have three segments');
  return [first, second];
}

// Header and payload are decoded into this reused buffer rather than a new one per segment: nothing
// keeps a view of it (the text is copied out and JSON.parse takes no callback), and parsing is sync.
const SCRATCH_LIMIT = 65_536;
let scratch = Buffer.allocUnsafeSlow(4096);

/** Canonical base64url → valid UTF-8 → JSON object (or the failure reason), else ERR_JWS_INVALID. */
function parseSegment(segment: string, what: string): ReturnType<typeof parseJSONObject> {
  const max = maxDecodedLength(segment.length);
  if (max > scratch.length) {
    if (max > SCRATCH_LIMIT) return parseSegmentAllocating(segment, what);
    scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_LIMIT, Math.max(max, scratch.length * 2)));
  }
  const bytes = scratch;
  const length = decodeAsciiInto(segment, bytes);
  if (length < 0) throw new JWSInvalid(`${what} is not canonical base64url`);
  const text = bytes.toString('utf8', 0, length);
  // Invalid UTF-8 always decodes to U+FFFD, so only then is the full check needed (and a one-byte
  // string answers this indexOf at once).
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(bytes.subarray(0, length)))
    throw new JWSInvalid(`${what} is not UTF-8`);
  return parseJSONObject(text, DEFAULT_MAX_DEPTH, bytes, length);
}

/** {@link parseSegment} for a segment too large for the shared buffer. */
function parseSegmentAllocating(segment: string, what: string): ReturnType<typeof parseJSONObject> {
  const bytes = decodeAscii(segment);
  if (bytes === undefined) throw new JWSInvalid(`${what} is not canonical base64url`);
  const text = bytes.toString('utf8');
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(bytes)) throw new JWSInvalid(`${what} is not UTF-8`);
  return parseJSONObject(text, DEFAULT_MAX_DEPTH, bytes);
}

/** Decodes and parses the protected header: a JSON object with a string `alg`. */
export function parseHeader(segment: string): JWSHeader {
  const parsed = parseSegment(segment, 'header');
  if (typeof parsed === 'string') throw new JWSInvalid(`header JSON is invalid (${parsed})`);
  if (typeof parsed.alg !== 'string') throw new JWSInvalid('header alg must be a string');
  if (parsed.kid !== undefined && typeof parsed.kid !== 'string')
    throw new JWSInvalid('header kid must be a string');
  if (parsed.typ !== undefined && typeof parsed.typ !== 'string')
    throw new JWSInvalid('header typ must be a string');
  return parsed as JWSHeader;
}

/** Decodes and parses the payload: a JSON object (ERR_JWT_INVALID for valid JSON that is not one). */
export function parsePayload(segment: string): JWTClaims {
  const parsed = parseSegment(segment, 'payload');
  if (parsed === 'not-object') throw new JWTInvalid('payload must be a JSON object');
  if (typeof parsed === 'string') throw new JWSInvalid(`payload JSON is invalid (${parsed})`);
  return parsed as JWTClaims;
}

/** Decodes the signature segment (canonical base64url, non-empty). */
export function parseSignature(segment: string): Buffer {
  const bytes = segment === '' ? undefined : decodeAscii(segment);
  if (bytes === undefined) throw new JWSInvalid('signature is missing or not canonical base64url');
  return bytes;
}

/**
 * Differential property tests for the verify fast path: header and payload segments decoded into a
 * reused buffer (parseHeader / parsePayload) must accept and refuse exactly what the previous separate
 * steps did. Two oracles: the previous implementation, kept here verbatim (same outcome and same
 * message), and an independent one built from Node's own pieces (re-encode and compare, TextDecoder
 * fatal, a recursive walk for duplicate members and depth). HMAC: hmac-differential.test.ts.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJoseError } from '../src/index.js';
import { decodeAscii, decodeAsciiInto, maxDecodedLength } from '../src/internal/base64url.js';
import { parseJSONObject } from '../src/internal/json.js';
import { parseHeader, parsePayload } from '../src/jws/parse.js';
import { b64 } from './helpers.js';

// ---- The previous implementation (before the reused buffer), the first oracle. ----
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++)
  VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;

function previousDecodeAscii(segment: string): Buffer | undefined {
  const n = segment.length;
  const rest = n & 3;
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

/** The previous parseSegment: the failure as the message it threw, or the parsed value. */
function previousSegment(segment: string, what: string): string | ReturnType<typeof parseJSONObject> {
  const bytes = previousDecodeAscii(segment);
  if (bytes === undefined) return `${what} is not canonical base64url`;
  const text = bytes.toString('utf8');
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(bytes)) return `${what} is not UTF-8`;
  return parseJSONObject(text, 32, bytes);
}

// ---- The independent oracle. ----
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Nesting deeper than 32 containers, or duplicate names in any object, in a text JSON.parse accepted. */
function referenceJSONProblem(text: string): 'duplicate' | 'depth' | undefined {
  let i = 0;
  const ws = () => {
    while (' \t\n\r'.includes(text[i] ?? '.')) i++;
  };
  const str = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    return JSON.parse(text.slice(start, ++i)) as string;
  };
  let depthExceeded = false;
  let duplicate = false;
  const walk = (depth: number): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth + 1 > 32) depthExceeded = true;
      const names = new Set<string>();
      i++;
      ws();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (c === '{') {
          const name = str();
          if (names.has(name)) duplicate = true;
          names.add(name);
          ws();
          i++; // ':'
        }
        walk(depth + 1);
        ws();
        if (text[i++] !== ',') return;
      }
    } else if (c === '"') str();
    else while (i < text.length && !',]} \t\n\r'.includes(text[i]!)) i++;
  };
  walk(0);
  return depthExceeded ? 'depth' : duplicate ? 'duplicate' : undefined;
}

/** ERR-code-level outcome: 'b64' | 'utf8' | 'json' | 'not-object' | the value. */
function independentSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return 'b64';
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) return 'b64';
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    return 'utf8';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'json';
  }
  const problem = referenceJSONProblem(text);
  if (problem === 'depth') return 'json';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not-object';
  return problem === undefined ? value : 'json';
}

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    if (!isJoseError(err)) throw err;
    return `${err.code}: ${err.message}`;
  }
}

/** Maps an outcome of parsePayload (a value or "CODE: message") to the independent oracle's classes. */
function classOf(result: unknown): unknown {
  if (typeof result !== 'string') return result;
  if (result.includes('base64url')) return 'b64';
  if (result.includes('UTF-8')) return 'utf8';
  if (result.startsWith('ERR_JWT_INVALID')) return 'not-object';
  return 'json';
}

// ---- Generators: valid JSON objects, then adversarial edits of their bytes and of their encoding. ----
const BAD_UTF8 = [
  [0xc0, 0xaf], // overlong '/'
  [0xe0, 0x80, 0xaf], // overlong, 3 bytes
  [0xed, 0xa0, 0x80], // UTF-16 surrogate
  [0x80], // lone continuation byte
  [0xe2, 0x82], // truncated sequence
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xff],
];
const ODD_BUT_VALID = [
  [0xef, 0xbf, 0xbd], // U+FFFD itself
  [0xef, 0xbb, 0xbf], // BOM
  [0xf0, 0x9f, 0x94, 0x91], // astral character
];

const objects = fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });

/** JSON texts: plain, pretty, with a duplicate (top level or nested, `a` vs `\u0061`), too deep. */
const texts = fc.oneof(
  objects.map((o) => JSON.stringify(o)),
  objects.map((o) => JSON.stringify(o, null, 1)),
  fc.constantFrom(
    '{"a":1,"\\u0061":2}',
    '{"a":{"b":1,"b":2}}',
    '{"a":[{"b":1},{"b":2}]}',
    '{"a":{"b":1},"c":{"b":2}}',
    '{"a":"\\"","a":1}',
    '{"a\\\\":1,"a\\\\":2}',
    '{"x":"}","y":","}',
    `${'{"a":'.repeat(32)}1${'}'.repeat(32)}`,
    `${'{"a":'.repeat(33)}1${'}'.repeat(33)}`,
    `{"a":${'['.repeat(40)}`,
    '[1,2]',
    '"str"',
    '{"a":1',
    '{"a":"unterminated}',
    '',
  ),
  // A duplicate, spelled plainly or with every character \u-escaped, at the top or one level down.
  fc
    .tuple(objects, fc.string({ maxLength: 4 }), fc.boolean(), fc.boolean())
    .map(([o, name, escaped, nested]) => {
      const other = escaped
        ? `"${name
            .split('')
            .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
            .join('')}"`
        : JSON.stringify(name);
      const rest = JSON.stringify(o).slice(1);
      const text = `{${JSON.stringify(name)}:0,${other}:1${rest === '}' ? '' : ','}${rest}`;
      return nested ? `{"n":${text}}` : text;
    }),
);

const byteEdits = fc.oneof(
  fc.constant((b: Buffer) => b),
  fc.tuple(fc.constantFrom(...BAD_UTF8, ...ODD_BUT_VALID), fc.nat()).map(([seq, at]) => (b: Buffer) => {
    const p = b.length === 0 ? 0 : at % b.length;
    return Buffer.concat([b.subarray(0, p), Buffer.from(seq), b.subarray(p)]);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => (b: Buffer) => {
    const c = Buffer.from(b);
    if (c.length > 0) c[at % c.length] = v;
    return c;
  }),
);

const segmentEdits = fc.oneof(
  { weight: 3, arbitrary: fc.constant((s: string) => s) },
  fc.constant((s: string) => `${s}=`),
  fc.constant((s: string) => `${s}==`),
  fc.constant((s: string) => s.slice(0, -1)),
  fc
    .tuple(fc.nat(), fc.constantFrom('+', '/', '=', ' ', '.', '*', 'ő', '\n', '\u0000', 'A'))
    .map(([at, ch]) => (s: string) => {
      const p = s.length === 0 ? 0 : at % s.length;
      return s.slice(0, p) + ch + s.slice(p + 1);
    }),
  fc.nat(63).map((v) => (s: string) => {
    // Change the last character: non-zero trailing bits make a non-canonical spelling.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    return s.length === 0 ? s : s.slice(0, -1) + alphabet[v];
  }),
);

const segments = fc
  .tuple(texts, byteEdits, segmentEdits)
  .map(([text, editBytes, editSegment]) => editSegment(b64(editBytes(Buffer.from(text, 'utf8')))));

describe('strict decoding: the reused-buffer path against the previous one', () => {
  it('decodeAsciiInto agrees with decodeAscii and with "re-encoding gives the same string"', () => {
    const target = Buffer.alloc(64);
    fc.assert(
      fc.property(segments, fc.string({ maxLength: 40 }), (long, short) => {
        for (const s of [long, short, long.slice(0, 80)]) {
          if (maxDecodedLength(s.length) > target.length) continue;
          const ascii = Buffer.byteLength(s) === s.length;
          if (!ascii) continue; // callers pass segments of a token split checked as ASCII
          const before = previousDecodeAscii(s);
          const reference =
            /^[A-Za-z0-9_-]*$/.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s;
          expect(before !== undefined).toBe(reference);
          expect(decodeAscii(s)).toEqual(before);
          const n = decodeAsciiInto(s, target);
          expect(n === -1 ? undefined : Buffer.from(target.subarray(0, n))).toEqual(before);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('parseHeader and parsePayload accept and refuse exactly what the previous steps did', () => {
    fc.assert(
      fc.property(fc.array(segments, { minLength: 1, maxLength: 4 }), (list) => {
        // Several in a row: a shorter segment after a longer one must not see the old bytes.
        for (const segment of list) {
          if (Buffer.byteLength(segment) !== segment.length) continue;
          const before = previousSegment(segment, 'payload');
          const expected =
            before === 'not-object'
              ? 'ERR_JWT_INVALID: payload must be a JSON object'
              : typeof before === 'string'
                ? `ERR_JWS_INVALID: ${before.includes(' is not ') ? before : `payload JSON is invalid (${before})`}`
                : before;
          const now = outcome(() => parsePayload(segment));
          expect(now).toEqual(expected);
          expect(classOf(now)).toEqual(independentSegment(segment));
          const header = outcome(() => parseHeader(segment));
          if (typeof header !== 'string') expect(header).toEqual(before);
          else expect(header.startsWith('ERR_JWS_INVALID: ')).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('segments larger than the shared buffer take the allocating path with the same answers', () => {
    const big = { a: 'x'.repeat(70_000), b: [1, 2, 3] };
    const segment = b64(Buffer.from(JSON.stringify(big)));
    expect(parsePayload(segment)).toEqual(big);
    const dup = b64(Buffer.from(`{"a":1,${JSON.stringify(big).slice(1, -1)},"a":2}`));
    expect(outcome(() => parsePayload(dup))).toBe('ERR_JWS_INVALID: payload JSON is invalid (duplicate)');
    const bad = b64(
      Buffer.concat([Buffer.from(`{"a":"${'x'.repeat(70_000)}`), Buffer.from([0xc0, 0xaf, 0x22, 0x7d])]),
    );
    expect(outcome(() => parsePayload(bad))).toBe('ERR_JWS_INVALID: payload is not UTF-8');
    expect(outcome(() => parsePayload(`${segment}=`))).toBe(
      'ERR_JWS_INVALID: payload is not canonical base64url',
    );
    // And the shared buffer still answers correctly afterwards.
    expect(parsePayload(b64(Buffer.from('{"c":3}')))).toEqual({ c: 3 });
  });
});

/**
 * Strict JSON object parsing: syntax by JSON.parse, plus what JSON.parse forgives: duplicate member
 * names (at every depth) and unbounded nesting.
 */

/** Why a text was refused; the caller maps it to its own error code. */
export type JSONFailure = 'syntax' | 'duplicate' | 'depth' | 'not-object';

export const DEFAULT_MAX_DEPTH = 32;

/**
 * Parses `text` as a JSON object, or returns the failure reason. `bytes` is its UTF-8 encoding when
 * the caller already holds it (the decoded token segment: its first `length` bytes). The fast path walks those bytes once in a
 * tight loop (typed-array reads are far cheaper than charCodeAt), skipping strings, counting top-level
 * members and nesting depth, and compares the member count with the parsed object's keys. Only texts
 * with nested objects take the slower full walk that checks every object's names.
 * Scanning bytes is safe for UTF-8: every byte of a multi-byte character is >= 0x80.
 */
export function parseJSONObject(
  text: string,
  maxDepth: number = DEFAULT_MAX_DEPTH,
  bytes: Uint8Array = Buffer.from(text, 'utf8'),
  length: number = bytes.length,
): Record<string, unknown> | JSONFailure {
  const n = length;
  let depth = 0;
  let topCommas = 0;
  let nestedObject = false;
  let i = 0;
  while (i < n) {
    const c = bytes[i++]!;
    if (c === 34 /* " */) {
      for (;;) {
        if (i >= n) return 'syntax';
        const d = bytes[i++]!;
        if (d === 34) break;
        if (d === 92 /* \ */) i++;
      }
    } else if (c === 44 /* , */) {
      if (depth === 1) topCommas++;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return 'depth';
      if (c === 123 && depth > 1) nestedObject = true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'syntax';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not-object';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).length;
  // Without duplicates, a non-empty object has exactly one more member than top-level commas.
  if (keys !== (keys === 0 && topCommas === 0 ? 0 : topCommas + 1)) return 'duplicate';
  if (nestedObject && hasDuplicateMembers(text)) return 'duplicate';
  return obj;
}

/** Index of the quote closing the string that opens at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  while (j !== -1 && text.charCodeAt(j - 1) === 92 /* \ */) {
    let k = j - 1;
    let backslashes = 0;
    while (text.charCodeAt(k) === 92) {
      backslashes++;
      k--;
    }
    if ((backslashes & 1) === 0) break;
    j = text.indexOf('"', j + 1);
  }
  return j;
}

/**
 * Full walk over syntactically valid JSON: a Set of member names per open object (names decoded with
 * JSON.parse, so `"a"` and `"\u0061"` collide). Iterative, so deep input cannot overflow the stack.
 */
export function hasDuplicateMembers(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = stringEnd(text, i);
      if (end < 0) return false;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.has(name)) return true;
        top.add(name);
      }
      expectKey = false;
      i = end + 1;
      continue;
    }
    if (c === 123) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 91) {
      stack.push(null);
      expectKey = false;
    } else if (c === 125 || c === 93) {
      stack.pop();
      expectKey = false;
    } else if (c === 44) {
      expectKey = stack[stack.length - 1] != null;
    }
    i++;
  }
  return false;
}

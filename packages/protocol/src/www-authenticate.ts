/** One challenge of a `WWW-Authenticate` field (RFC 7235 §2.1, §4.1). */
export interface Challenge {
  /** The auth-scheme as sent (compare it case-insensitively). */
  scheme: string;
  /** auth-params by lower-case name, quoted-string values unescaped; empty when the challenge has none. */
  params: ReadonlyMap<string, string>;
  /** The token68 form (`Basic abc==`) when the challenge carries one instead of auth-params. */
  token68?: string;
}

// RFC 7230 §3.2.6 tchar; RFC 7235 §2.1 token68 adds "-._~+/" and trailing "=".
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const TOKEN68_CHAR = /^[A-Za-z0-9\-._~+/]$/;
// Longest field value looked at: a challenge is a few hundred bytes; more is noise or an attack.
const MAX_LENGTH = 16_384;

/** A cursor over the field value; every method stops at the end, none throws. */
class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text.charAt(this.pos);
  }
  /** OWS/BWS: spaces and tabs. */
  skipSpace(): boolean {
    const start = this.pos;
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
    return this.pos > start;
  }
  token(): string {
    const start = this.pos;
    while (!this.done && TCHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
  /** A quoted-string with its quoted-pairs undone, or undefined when it is not one (unterminated, bad char). */
  quoted(): string | undefined {
    if (this.peek() !== '"') return undefined;
    this.pos++;
    let out = '';
    while (!this.done) {
      const c = this.peek();
      const code = c.charCodeAt(0);
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') {
        if (this.done) return undefined;
        const escaped = this.peek();
        const e = escaped.charCodeAt(0);
        if (e !== 0x09 && (e < 0x20 || e === 0x7f)) return undefined;
        out += escaped;
        this.pos++;
        continue;
      }
      // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
      if (code !== 0x09 && (code < 0x20 || code === 0x7f)) return undefined;
      out += c;
    }
    return undefined;
  }
}

/**
 * Reads `name = value` at the cursor (value a token or a quoted-string). Undefined, with the cursor
 * back where it was, when the text there is not an auth-param.
 */
function authParam(r: Reader): [string, string] | undefined {
  const start = r.pos;
  const name = r.token();
  r.skipSpace();
  if (name === '' || r.peek() !== '=') {
    r.pos = start;
    return undefined;
  }
  r.pos++;
  r.skipSpace();
  let value: string | undefined;
  if (r.peek() === '"') value = r.quoted();
  else value = r.token() || undefined; // a token value is never empty; a quoted one may be
  if (value === undefined) {
    r.pos = start;
    return undefined;
  }
  return [name.toLowerCase(), value];
}

/** A token68 at the cursor, ending the list element; undefined (cursor unmoved) otherwise. */
function token68(r: Reader): string | undefined {
  const start = r.pos;
  while (!r.done && TOKEN68_CHAR.test(r.peek())) r.pos++;
  if (r.pos === start) return undefined;
  while (r.peek() === '=') r.pos++;
  const end = r.pos;
  r.skipSpace();
  if (!r.done && r.peek() !== ',') {
    r.pos = start;
    return undefined;
  }
  return r.text.slice(start, end);
}

/**
 * Parses a `WWW-Authenticate` field value into its challenges (RFC 7235 §4.1: `1#challenge`, so
 * several challenges share one value, comma-separated, as do the auth-params inside each). Lenient
 * where the grammar allows (empty list elements, spaces around `=`, token or quoted-string values,
 * case-insensitive names), strict where a mistake could change the meaning: a value that breaks the
 * grammar anywhere, or repeats a parameter within a challenge, yields no challenge at all (a
 * half-read challenge could lose the very parameter that matters). Never throws.
 *
 * @example
 * ```ts
 * parseChallenges('Bearer realm="a", error="invalid_token", DPoP algs="ES256"');
 * // [{ scheme: 'Bearer', params: Map { realm → a, error → invalid_token } }, { scheme: 'DPoP', params: Map { algs → ES256 } }]
 * ```
 */
export function parseChallenges(value: string | null | undefined): Challenge[] {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return [];
  const r = new Reader(value);
  const challenges: { scheme: string; params: Map<string, string>; token68?: string }[] = [];
  // Leading empty list elements (`, Bearer`) are allowed by the list rule.
  while (r.peek() === ',' || r.peek() === ' ' || r.peek() === '\t') r.pos++;
  while (!r.done) {
    // A list element is an auth-param of the current challenge, or a new challenge's scheme.
    const current = challenges[challenges.length - 1];
    const param = current !== undefined && current.token68 === undefined ? authParam(r) : undefined;
    if (param !== undefined && current !== undefined) {
      if (current.params.has(param[0])) return []; // RFC 7235 §2.1: each name once per challenge
      current.params.set(param[0], param[1]);
    } else {
      const scheme = r.token();
      if (scheme === '') return [];
      const challenge: (typeof challenges)[number] = { scheme, params: new Map() };
      challenges.push(challenge);
      if (r.skipSpace() && !r.done && r.peek() !== ',') {
        const first = authParam(r);
        if (first !== undefined) challenge.params.set(first[0], first[1]);
        else {
          const t68 = token68(r);
          if (t68 === undefined) return [];
          challenge.token68 = t68;
        }
      }
    }
    r.skipSpace();
    if (r.done) break;
    if (r.peek() !== ',') return [];
    while (r.peek() === ',' || r.peek() === ' ' || r.peek() === '\t') r.pos++;
  }
  return challenges;
}

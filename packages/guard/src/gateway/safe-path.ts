const MALFORMED_PERCENT = /%(?![0-9a-f]{2})/;
// C0 and C1 never start valid UTF-8; E0 80–9F and F0 80–8F start overlong 3- and 4-byte forms.
const OVERLONG_UTF8 = /%c[01]|%e0%[89]|%f0%8/;
// A segment of dots only, maybe with trailing blanks (Windows drops trailing dots and spaces).
const DOTS = /^\.+(?:%20|%09)*$/;

/**
 * Whether a request path could reach outside the upstream's base path once some server decodes or
 * normalises it. Refused (before policies and forwarding):
 * - a dot-segment, `.` or `..`, raw or percent-encoded (`%2e`, any case, also double-encoded `%252e`),
 *   and the `..;` form some servers read as `..` (path parameters), also with `;` or NUL encoded
 *   (`..%3b`, `..%00`), and dots-only segments with trailing blanks (`..%20`, `...`: Windows);
 * - an encoded separator, `%2f` or `%5c` (any case, also double-encoded), or a raw backslash, which
 *   some backends treat as `/`;
 * - a `%` not followed by two hex digits (`%u002e`, which IIS decodes to `.`; `%%32%65`), and overlong
 *   UTF-8 (`%c0%ae`, `%e0%80%ae`, ...), which lenient decoders turn into `.` or `/`.
 * Only the path is looked at, never the query.
 *
 * @example
 * isUnsafePath('/app/%2E%2e/admin') // true
 * isUnsafePath('/rooms/12')         // false
 */
export function isUnsafePath(path: string): boolean {
  if (path.includes('\\')) return true;
  let decoded = path.toLowerCase();
  if (MALFORMED_PERCENT.test(decoded)) return true;
  // Undo up to three layers of `%25` so `%252e` and `%25252e` are seen for what they become.
  for (let i = 0; i < 3 && decoded.includes('%25'); i++) decoded = decoded.replaceAll('%25', '%');
  if (decoded.includes('%2f') || decoded.includes('%5c') || OVERLONG_UTF8.test(decoded)) return true;
  decoded = decoded.replaceAll('%2e', '.').replaceAll('%3b', ';').replaceAll('%00', ';');
  for (const segment of decoded.split('/')) {
    const semicolon = segment.indexOf(';');
    const name = semicolon === -1 ? segment : segment.slice(0, semicolon);
    if (DOTS.test(name)) return true;
  }
  return false;
}

/**
 * Whether a request path could reach outside the upstream's base path once some server decodes or
 * normalises it. Refused (before policies and forwarding):
 * - a dot-segment, `.` or `..`, raw or percent-encoded (`%2e`, any case, also double-encoded `%252e`),
 *   and the `..;` form some servers read as `..` (path parameters);
 * - an encoded separator, `%2f` or `%5c` (any case, also double-encoded), or a raw backslash, which
 *   some backends treat as `/`.
 * Only the path is looked at, never the query.
 *
 * @example
 * isUnsafePath('/app/%2E%2e/admin') // true
 * isUnsafePath('/rooms/12')         // false
 */
export function isUnsafePath(path: string): boolean {
  if (path.includes('\\')) return true;
  let decoded = path.toLowerCase();
  // Undo up to three layers of `%25` so `%252e` and `%25252e` are seen for what they become.
  for (let i = 0; i < 3 && decoded.includes('%25'); i++) decoded = decoded.replaceAll('%25', '%');
  if (decoded.includes('%2f') || decoded.includes('%5c')) return true;
  decoded = decoded.replaceAll('%2e', '.');
  for (const segment of decoded.split('/')) {
    const semicolon = segment.indexOf(';');
    const name = semicolon === -1 ? segment : segment.slice(0, semicolon);
    if (name === '.' || name === '..') return true;
  }
  return false;
}

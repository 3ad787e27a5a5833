/**
 * Reads one cookie from a `document.cookie` string (DOM-free for tests).
 *
 * @example
 * readCookie('a=1; keycard_csrf=xyz', 'keycard_csrf'); // 'xyz'
 */
export function readCookie(cookieString: string, name: string): string | undefined {
  for (const pair of cookieString.split(';')) {
    const index = pair.indexOf('=');
    if (index === -1) continue;
    if (pair.slice(0, index).trim() !== name) continue;
    const raw = pair.slice(index + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

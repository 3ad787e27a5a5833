/**
 * A short description of a User-Agent string for the sessions list ("Chrome on Linux").
 * Good enough to tell devices apart; the full string stays available as a tooltip.
 *
 * @example
 * describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) ... Chrome/120.0 Safari/537.36'); // 'Chrome on Linux'
 */
export function describeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = pick(userAgent, [
    [/Edg\//, 'Edge'],
    [/OPR\//, 'Opera'],
    [/Firefox\//, 'Firefox'],
    [/HeadlessChrome\//, 'Headless Chrome'],
    [/Chrom(e|ium)\//, 'Chrome'],
    [/Safari\//, 'Safari'],
    [/^curl\//, 'curl'],
    [/^node|undici/i, 'Node.js'],
    [/^keycard/i, 'keycard CLI'],
  ]);
  const os = pick(userAgent, [
    [/Android/, 'Android'],
    [/iPhone|iPad|iOS/, 'iOS'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'],
    [/Linux/, 'Linux'],
  ]);
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? (userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent);
}

function pick(text: string, rules: Array<[RegExp, string]>): string | undefined {
  return rules.find(([pattern]) => pattern.test(text))?.[1];
}

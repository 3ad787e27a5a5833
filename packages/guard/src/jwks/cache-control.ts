/**
 * The freshness lifetime (ms) a `Cache-Control` header grants, clamped to [minMs, maxMs]. `no-store`,
 * `no-cache` and a missing or unparsable `max-age` all give `minMs`: the guard still needs a floor so
 * an issuer cannot make it refetch on every request.
 */
export function cacheLifetimeMs(header: string | null, minMs: number, maxMs: number): number {
  let seconds: number | undefined;
  if (header !== null) {
    for (const part of header.split(',')) {
      const [rawName, rawValue] = part.split('=', 2);
      const name = rawName?.trim().toLowerCase();
      if (name === 'no-store' || name === 'no-cache') return minMs;
      if (name === 'max-age') {
        const value = rawValue?.trim().replace(/^"|"$/g, '');
        if (value !== undefined && /^\d{1,10}$/.test(value)) seconds = Number(value);
      }
    }
  }
  if (seconds === undefined) return minMs;
  return Math.min(maxMs, Math.max(minMs, seconds * 1000));
}

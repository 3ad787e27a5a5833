/**
 * Countdown and refresh-timing math. DOM-free and clock-injected so it is unit-tested.
 */

/**
 * Whole seconds until `expSeconds` (a JWT `exp`), never below zero.
 *
 * @example
 * secondsLeft(1_000, 990_500); // 9
 */
export function secondsLeft(expSeconds: number, nowMs: number): number {
  return Math.max(0, Math.floor(expSeconds - nowMs / 1000));
}

/**
 * How long before expiry the app refreshes: a fifth of the lifetime, between 5 s and 60 s,
 * so a 600 s token is refreshed a minute early and a 20 s test token 5 s early.
 */
export function refreshLeadSeconds(expSeconds: number, iatSeconds: number | undefined): number {
  const lifetime = iatSeconds === undefined ? 600 : Math.max(0, expSeconds - iatSeconds);
  return Math.min(60, Math.max(5, lifetime / 5));
}

/**
 * Milliseconds to wait before refreshing a token (0 when it is due already).
 *
 * @example
 * refreshDelayMs(1_600, 1_000, 1_000_000); // 540_000: refresh at 1540 s
 */
export function refreshDelayMs(expSeconds: number, iatSeconds: number | undefined, nowMs: number): number {
  const dueAtMs = (expSeconds - refreshLeadSeconds(expSeconds, iatSeconds)) * 1000;
  return Math.max(0, Math.ceil(dueAtMs - nowMs));
}

/** True when the token is inside its refresh window (or expired). */
export function needsRefresh(expSeconds: number, iatSeconds: number | undefined, nowMs: number): boolean {
  return refreshDelayMs(expSeconds, iatSeconds, nowMs) === 0;
}

/**
 * Share of the token's lifetime still left, from 1 (just issued) to 0 (expired).
 *
 * @example
 * lifetimeLeft(1_600, 1_000, 1_300_000); // 0.5
 */
export function lifetimeLeft(expSeconds: number, iatSeconds: number | undefined, nowMs: number): number {
  if (iatSeconds === undefined || expSeconds <= iatSeconds) return nowMs / 1000 < expSeconds ? 1 : 0;
  const left = (expSeconds - nowMs / 1000) / (expSeconds - iatSeconds);
  return Math.min(1, Math.max(0, left));
}

/**
 * Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), at least 1.
 * Returns undefined when the header is missing or unreadable.
 *
 * @example
 * retryAfterSeconds('30', Date.now()); // 30
 */
export function retryAfterSeconds(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.max(1, Number(value));
  if (!/[A-Za-z]/.test(value)) return undefined; // neither delta-seconds nor an HTTP date
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(1, Math.ceil((at - nowMs) / 1000));
}

/**
 * Every timestamp keycard puts in a JSON body, a query string or a token is a whole number of
 * **seconds since the Unix epoch** (the JWT `NumericDate` unit). These two helpers are the only
 * place the wire and JavaScript's milliseconds meet.
 */

/**
 * Milliseconds (as `Date.now()` gives them) to whole epoch seconds, rounded down: an instant
 * belongs to the second it falls in, like a token's `iat`.
 *
 * @example
 * ```ts
 * toEpochSeconds(1_700_000_000_999); // 1_700_000_000
 * ```
 */
export function toEpochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Epoch seconds from the wire to milliseconds (the first millisecond of that second), for
 * `new Date(...)` or comparisons with `Date.now()`.
 *
 * @example
 * ```ts
 * new Date(fromEpochSeconds(session.expiresAt));
 * ```
 */
export function fromEpochSeconds(seconds: number): number {
  return seconds * 1000;
}

/** Like {@link toEpochSeconds}, but `null` stays `null` (a time that has not happened). */
export function toEpochSecondsOrNull(ms: number | null): number | null {
  return ms === null ? null : toEpochSeconds(ms);
}

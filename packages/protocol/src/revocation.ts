/**
 * THE revocation rule, used by the auth server and by every guard: a `subject` or `role`
 * revocation carries `notBefore` (epoch seconds) and refuses a card when
 * `iat === undefined || iat < notBefore`.
 *
 * A card without `iat` cannot prove it was issued after the revocation, so it is refused; so is
 * one whose `iat` is not a finite number (NaN, Infinity, or a value that is not a number at all,
 * from a claim read without a type check), and every card when `notBefore` is NaN: the rule fails
 * closed. For finite numbers it is exactly `iat < notBefore`.
 *
 * @example
 * ```ts
 * if (isRevokedByNotBefore(claims.iat, event.notBefore)) refuse();
 * ```
 */
export function isRevokedByNotBefore(iat: number | undefined, notBefore: number): boolean {
  // Written as "not provably at or after": every comparison with NaN is false, so NaN refuses.
  return !(Number.isFinite(iat) && (iat as number) >= notBefore);
}

/**
 * The `notBefore` (epoch seconds) that a revocation made at `nowMs` records: the smallest whole
 * second strictly after `nowMs`, i.e. `floor(nowMs / 1000) + 1` (a "strict ceiling").
 *
 * Why this value. Cards carry `iat = floor(issuedMs / 1000)` and {@link isRevokedByNotBefore}
 * refuses `iat < notBefore`. Let `S = floor(nowMs / 1000)`, the second the revocation falls in.
 * - Every card issued at or before `nowMs` has `issuedMs <= nowMs`, so `iat <= S < S + 1`:
 *   refused.
 * - Every card issued in a later second has `iat >= S + 1 = notBefore`: accepted.
 * - A card issued after `nowMs` but within second `S` is refused too (its `iat` cannot tell it
 *   apart); the server waits for second `S + 1` before issuing to a just-revoked subject.
 *
 * On an exact second (`nowMs = 1000 * S`) a plain `Math.ceil(nowMs / 1000)` would give `S`, and a
 * card issued at that very millisecond (`iat = S`) would pass `S < S` = false — accepted although
 * it was issued at the instant of the revocation. `floor + 1` gives `S + 1` and refuses it; a card
 * of second `S + 1` is still accepted.
 *
 * @example
 * ```ts
 * revocationNotBefore(1_700_000_000_000); // 1_700_000_001
 * revocationNotBefore(1_700_000_000_500); // 1_700_000_001
 * ```
 */
export function revocationNotBefore(nowMs: number): number {
  return Math.floor(nowMs / 1000) + 1;
}

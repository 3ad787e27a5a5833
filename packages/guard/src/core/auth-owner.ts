import type { Guard } from './create-guard.js';

/**
 * Which guard authenticated an AuthContext (or, for a request let through by `optional` without a card,
 * which guard looked at it): `authorize` answers with that guard's realm and DPoP challenge. A context
 * carries its guard in a non-enumerable symbol property set when it is built (no WeakMap entry per
 * verified card, which would be GC work on every cold request); a request is recorded in a WeakMap, so
 * neither is kept alive by it.
 */
const owners = new WeakMap<object, Guard>();
const OWNER = Symbol('keycard.guard');

/** Records the guard behind a request object. */
export function rememberGuard(key: object, guard: Guard): void {
  owners.set(key, guard);
}

/** Sets the guard of a context still being built (before it is frozen). */
export function setOwner(context: object, guard: Guard | undefined): void {
  if (guard !== undefined) Object.defineProperty(context, OWNER, { value: guard, enumerable: false });
}

/** The guard recorded for the first key that has one, if any. */
export function guardOf(...keys: (object | undefined)[]): Guard | undefined {
  for (const key of keys) {
    if (key === undefined) continue;
    const guard = (key as { [OWNER]?: Guard })[OWNER] ?? owners.get(key);
    if (guard !== undefined) return guard;
  }
  return undefined;
}

import type { Guard } from './create-guard.js';

/**
 * Which guard authenticated an AuthContext (or, for a request let through by `optional` without a card,
 * which guard looked at it): `authorize` answers with that guard's realm and DPoP challenge. A WeakMap,
 * so neither the context nor the request is kept alive by it.
 */
const owners = new WeakMap<object, Guard>();

/** Records the guard behind an AuthContext or a request object. */
export function rememberGuard(key: object, guard: Guard): void {
  owners.set(key, guard);
}

/** The guard recorded for the first key that has one, if any. */
export function guardOf(...keys: (object | undefined)[]): Guard | undefined {
  for (const key of keys) {
    const guard = key === undefined ? undefined : owners.get(key);
    if (guard !== undefined) return guard;
  }
  return undefined;
}

/**
 * Delegation rules for the doors, read from the card's RFC 8693 `act` claim (the party acting
 * now is the outermost `act`). Kept here until the guard's own `requireDelegation` /
 * `refuseDelegation` policies are used instead.
 */
import { GuardError, type Policy } from '@keycard/guard';

/** Actors of an `act` claim, earliest first. */
export function actorsOf(act: unknown): string[] {
  const actors: string[] = [];
  let current = act;
  for (let depth = 0; depth < 10 && current !== null && typeof current === 'object'; depth++) {
    const sub = (current as Record<string, unknown>).sub;
    if (typeof sub === 'string') actors.unshift(sub);
    current = (current as Record<string, unknown>).act;
  }
  return actors;
}

/** Allows only cards on which `actor` is acting now (403 otherwise). */
export function requireActor(actor: string): Policy {
  return (auth) =>
    actorsOf(auth.claims.act).at(-1) === actor ? undefined : new GuardError('ERR_GUARD_FORBIDDEN');
}

/** Allows only cards used by their subject directly, with nobody acting for them (403 otherwise). */
export function requireNoActor(): Policy {
  return (auth) => (auth.claims.act === undefined ? undefined : new GuardError('ERR_GUARD_FORBIDDEN'));
}

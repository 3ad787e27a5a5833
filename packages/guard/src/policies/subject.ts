import { GuardError } from '../errors.js';
import type { Policy } from './policy.js';

/**
 * Allows only user cards (a sign-in card with a session); client cards get 403 ERR_GUARD_USER_REQUIRED.
 * @example
 * app.get('/me', authorize(requireUser()), handler);
 */
export function requireUser(): Policy {
  const denied = new GuardError('ERR_GUARD_USER_REQUIRED');
  return (auth) => (auth.subjectType === 'user' ? undefined : denied);
}

/**
 * Allows only client cards (client_credentials), and with ids only those clients; 403
 * ERR_GUARD_CLIENT_REQUIRED otherwise. A user card never passes, whatever its `sub`.
 * @example
 * app.post('/internal/charge', authorize(requireClient('rooms-service')), handler);
 */
export function requireClient(...ids: string[]): Policy {
  const denied = new GuardError('ERR_GUARD_CLIENT_REQUIRED');
  return (auth) =>
    auth.subjectType === 'client' && (ids.length === 0 || ids.includes(auth.sub)) ? undefined : denied;
}

/**
 * Allows only delegated cards (RFC 8693 token exchange: an `act` claim) and, with actor ids, only
 * when the current actor (`act.sub`) is one of them; 403 ERR_GUARD_DELEGATION_REQUIRED otherwise.
 * @example
 * // billing accepts charges made on a guest's behalf by the rooms service only
 * app.post('/charges', authorize(requireDelegation('rooms-service')), handler);
 */
export function requireDelegation(...actors: string[]): Policy {
  const denied = new GuardError('ERR_GUARD_DELEGATION_REQUIRED');
  return (auth) =>
    auth.actor !== undefined && (actors.length === 0 || actors.includes(auth.actor.sub)) ? undefined : denied;
}

/**
 * Refuses delegated cards (those with an `act` claim): the subject must call in person. 403
 * ERR_GUARD_DELEGATION_REFUSED.
 * @example
 * app.post('/me/password', authorize(refuseDelegation()), handler);
 */
export function refuseDelegation(): Policy {
  const denied = new GuardError('ERR_GUARD_DELEGATION_REFUSED');
  return (auth) => (auth.actor === undefined ? undefined : denied);
}

/**
 * Allows only DPoP-bound cards (`cnf.jkt`), which the guard accepted with a valid proof of their key;
 * a bearer card gets 401 ERR_GUARD_DPOP_REQUIRED with a `WWW-Authenticate: DPoP` challenge.
 * @example
 * app.post('/payments', authorize(requireDpop()), handler);
 */
export function requireDpop(): Policy {
  const denied = new GuardError('ERR_GUARD_DPOP_REQUIRED');
  return (auth) => (auth.tokenType === 'DPoP' ? undefined : denied);
}

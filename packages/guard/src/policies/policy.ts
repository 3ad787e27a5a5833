import { GuardError } from '../errors.js';
import type { AuthContext } from '../types.js';

/** What a policy answers: undefined to allow, a GuardError (403) to deny. */
export type PolicyResult = GuardError | undefined;

/**
 * An authorization rule run after the token is verified. `request` is whatever the adapter passes
 * (the framework's request object), so ownership rules can read route parameters.
 */
export type Policy<Req = unknown> = (auth: AuthContext, request: Req) => PolicyResult | Promise<PolicyResult>;

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Allows only tokens carrying every listed scope; answers 403 `insufficient_scope` naming them.
 * @example
 * app.get('/rooms', authorize(requireScopes('rooms:read')), handler);
 */
export function requireScopes(...scopes: string[]): Policy {
  if (scopes.length === 0) throw new TypeError('requireScopes needs at least one scope');
  for (const s of scopes)
    if (!SCOPE_TOKEN.test(s)) throw new TypeError(`requireScopes: "${s}" is not a scope token`);
  const denied = new GuardError('ERR_GUARD_INSUFFICIENT_SCOPE', { scope: scopes.join(' ') });
  return (auth) => {
    for (const s of scopes) if (!auth.scopes.has(s)) return denied;
    return undefined;
  };
}

/** Options of the user policies (`requireRoles`, `requireOwner`). */
export interface UserPolicyOptions {
  /**
   * Also accept client cards (client_credentials, no `sid`). Default false: a client whose id happens to
   * equal a user's id, or a client given a role claim, can never pass for that user.
   */
  allowClients?: boolean;
}

const USER_REQUIRED = new GuardError('ERR_GUARD_USER_REQUIRED');

/**
 * Allows user cards carrying at least one of the listed roles (staff OR manager); 403
 * ERR_GUARD_FORBIDDEN_ROLE, or ERR_GUARD_USER_REQUIRED for a client card (unless `allowClients`, given
 * as a last argument). Compose with `all(requireRoles('a'), requireRoles('b'))` to need several.
 * @example
 * app.delete('/rooms/:id', authorize(requireRoles('manager')), handler);
 * app.get('/stats', authorize(requireRoles('reporter', { allowClients: true })), handler);
 */
export function requireRoles(...roles: [...string[], UserPolicyOptions] | string[]): Policy {
  const last = roles[roles.length - 1];
  const options: UserPolicyOptions = typeof last === 'object' && last !== null ? last : {};
  const names: string[] = [];
  for (const r of roles as (string | UserPolicyOptions)[]) if (typeof r === 'string') names.push(r);
  if (names.length === 0) throw new TypeError('requireRoles needs at least one role');
  const allowClients = options.allowClients === true;
  const denied = new GuardError('ERR_GUARD_FORBIDDEN_ROLE');
  return (auth) => {
    if (!allowClients && auth.subjectType !== 'user') return USER_REQUIRED;
    for (const r of names) if (auth.roles.includes(r)) return undefined;
    return denied;
  };
}

/**
 * Hotel-key ownership: the card must be a user's card and its `sub` must equal the owner of the
 * resource the request names. `getOwner` may look the owner up (sync or async); an unknown owner
 * (undefined) is denied. A client card is denied with ERR_GUARD_USER_REQUIRED before `getOwner` runs,
 * unless `allowClients` is set (for resources a client can own).
 * @example
 * app.get('/guests/:id', authorize(requireOwner((req) => req.params.id)), handler);
 */
export function requireOwner<Req = unknown>(
  getOwner: (request: Req, auth: AuthContext) => string | undefined | Promise<string | undefined>,
  options: UserPolicyOptions = {},
): Policy<Req> {
  const denied = new GuardError('ERR_GUARD_NOT_OWNER');
  const allowClients = options.allowClients === true;
  return (auth, request) => {
    if (!allowClients && auth.subjectType !== 'user') return USER_REQUIRED;
    const owner = getOwner(request, auth);
    if (typeof owner === 'string' || owner === undefined) return owner === auth.sub ? undefined : denied;
    return owner.then((o) => (o !== undefined && o === auth.sub ? undefined : denied));
  };
}

/**
 * A custom rule: allowed when `predicate` is true, else 403 ERR_GUARD_FORBIDDEN.
 * @example
 * const weekdaysOnly = allow((auth) => auth.claims['room'] !== undefined);
 */
export function allow<Req = unknown>(
  predicate: (auth: AuthContext, request: Req) => boolean | Promise<boolean>,
): Policy<Req> {
  const denied = new GuardError('ERR_GUARD_FORBIDDEN');
  return (auth, request) => {
    const ok = predicate(auth, request);
    return typeof ok === 'boolean' ? (ok ? undefined : denied) : ok.then((v) => (v ? undefined : denied));
  };
}

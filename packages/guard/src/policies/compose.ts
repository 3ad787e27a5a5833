import type { AuthContext } from '../types.js';
import type { Policy, PolicyResult } from './policy.js';

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T>)?.then === 'function';
}

/**
 * Runs policies in order and stops at the first denial. Synchronous policies stay synchronous, so a
 * route of plain scope/role checks costs no async hop.
 * @example
 * const denied = await checkPolicies([requireScopes('rooms:read')], auth, req);
 */
export function checkPolicies<Req>(
  policies: readonly Policy<Req>[],
  auth: AuthContext,
  request: Req,
  start = 0,
): PolicyResult | Promise<PolicyResult> {
  for (let i = start; i < policies.length; i++) {
    const result = policies[i]!(auth, request);
    if (isPromise(result)) {
      return result.then((r) => (r !== undefined ? r : checkPolicies(policies, auth, request, i + 1)));
    }
    if (result !== undefined) return result;
  }
  return undefined;
}

/**
 * Allowed only when every policy allows; the first denial is the answer.
 * @example
 * authorize(all(requireScopes('rooms:write'), requireRoles('staff')))
 */
export function all<Req = unknown>(...policies: Policy<Req>[]): Policy<Req> {
  return (auth, request) => checkPolicies(policies, auth, request);
}

/**
 * Allowed when at least one policy allows; otherwise the first policy's denial is the answer.
 * @example
 * authorize(any(requireOwner((req) => req.params.id), requireRoles('manager')))
 */
export function any<Req = unknown>(...policies: Policy<Req>[]): Policy<Req> {
  if (policies.length === 0) throw new TypeError('any() needs at least one policy');
  return async (auth, request) => {
    let first: PolicyResult;
    for (const policy of policies) {
      const result = await policy(auth, request);
      if (result === undefined) return undefined;
      first ??= result;
    }
    return first;
  };
}

import type { Guard } from '../core/create-guard.js';
import type { GuardError } from '../errors.js';
import { isGuardError } from '../errors.js';
import { errorResponse } from '../http/error-response.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

/**
 * The Response for a GuardError (status, `WWW-Authenticate`, JSON body).
 * @example
 * catch (err) { if (isGuardError(err)) return errorToResponse(err); throw err; }
 */
export function errorToResponse(error: GuardError, realm = 'keycard'): Response {
  const { status, headers, body } = errorResponse(error, realm);
  return new Response(body, { status, headers });
}

/**
 * Fetch-style verification: `(request) => Promise<AuthContext>`, rejecting with a GuardError.
 * @example
 * const verify = authenticateRequest(guard, { policies: [requireScopes('rooms:read')] });
 * const auth = await verify(request); // throws GuardError → errorToResponse(err)
 */
export function authenticateRequest(
  guard: Guard,
  options: { policies?: Policy<Request>[] } = {},
): (request: Request) => Promise<AuthContext> {
  const policies = options.policies ?? [];
  return async (request) => {
    const result = await guard.authenticate(request);
    if (!result.ok) throw result.error;
    const denied = policies.length === 0 ? undefined : await checkPolicies(policies, result.auth, request);
    if (denied !== undefined) throw denied;
    return result.auth;
  };
}

/**
 * Wraps a fetch handler (`Deno.serve`, Bun, workers, `@hono/node-server`'s `serve({ fetch })`): the
 * handler runs only for verified, authorized requests and receives the AuthContext.
 * @example
 * export default { fetch: withAuth(guard, (req, auth) => Response.json({ sub: auth.sub })) };
 */
export function withAuth(
  guard: Guard,
  handler: (request: Request, auth: AuthContext) => Response | Promise<Response>,
  options: { policies?: Policy<Request>[] } = {},
): (request: Request) => Promise<Response> {
  const verify = authenticateRequest(guard, options);
  const realm = guard.options.realm;
  return async (request) => {
    let auth: AuthContext;
    try {
      auth = await verify(request);
    } catch (error) {
      if (isGuardError(error)) return errorToResponse(error, realm);
      throw error;
    }
    return handler(request, auth);
  };
}

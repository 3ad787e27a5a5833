import type { Guard } from '../core/create-guard.js';
import type { GuardError } from '../errors.js';
import { isGuardError } from '../errors.js';
import { errorResponse } from '../http/error-response.js';
import type { RefusalLogger } from '../http/refusal.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

/**
 * The Response for a GuardError (status, `WWW-Authenticate`, `DPoP-Nonce`, JSON body). Pass the guard
 * (rather than a realm) to get its realm and its `DPoP algs` challenge.
 * @example
 * catch (err) { if (isGuardError(err)) return errorToResponse(err, guard); throw err; }
 */
export function errorToResponse(error: GuardError, realm: string | Guard = 'keycard'): Response {
  const { status, headers, body } =
    typeof realm === 'string' ? errorResponse(error, realm) : refusal(realm, error);
  return new Response(body, { status, headers });
}

export interface FetchAuthOptions {
  policies?: Policy<Request>[];
  /** One line per refused request (e.g. `console.warn`); never a token. Default none. */
  onRefused?: RefusalLogger;
}

/**
 * Fetch-style verification: `(request) => Promise<AuthContext>`, rejecting with a GuardError. Bearer and
 * DPoP cards (the proof is checked against `request.method` and `request.url`).
 * @example
 * const verify = authenticateRequest(guard, { policies: [requireScopes('rooms:read')] });
 * const auth = await verify(request); // throws GuardError → errorToResponse(err, guard)
 */
export function authenticateRequest(
  guard: Guard,
  options: FetchAuthOptions = {},
): (request: Request) => Promise<AuthContext> {
  const policies = options.policies ?? [];
  const refuse = (request: Request, error: GuardError): never => {
    options.onRefused?.(refusalLine(error, request.method, request.url), error);
    throw error;
  };
  return async (request) => {
    const result = await guard.authenticate(request);
    if (!result.ok) return refuse(request, result.error);
    const denied = policies.length === 0 ? undefined : await checkPolicies(policies, result.auth, request);
    if (denied !== undefined) return refuse(request, denied);
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
  options: FetchAuthOptions = {},
): (request: Request) => Promise<Response> {
  const verify = authenticateRequest(guard, options);
  return async (request) => {
    let auth: AuthContext;
    try {
      auth = await verify(request);
    } catch (error) {
      if (isGuardError(error)) return errorToResponse(error, guard);
      throw error;
    }
    return handler(request, auth);
  };
}

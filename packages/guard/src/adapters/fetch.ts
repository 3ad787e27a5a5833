import { guardOf, rememberGuard } from '../core/auth-owner.js';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import type { AuthenticateOptions } from '../http/authenticate-options.js';
import { checkAuthenticateOptions } from '../http/authenticate-options.js';
import { errorResponse } from '../http/error-response.js';
import type { RefusalLogger } from '../http/refusal.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

export type { AuthenticateOptions } from '../http/authenticate-options.js';

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

/** `authenticate(guard)` for fetch handlers: the AuthContext, or the refusal Response to return. */
export type FetchAuthenticate = (request: Request) => Promise<AuthContext | Response>;
/** `authenticate(guard, { optional: true })`: also `undefined` for a request without any card. */
export type OptionalFetchAuthenticate = (request: Request) => Promise<AuthContext | Response | undefined>;

/**
 * Fetch-style verification: resolves to the AuthContext, or to the refusal Response (401/400/403/503)
 * for you to return. With `optional: true` a request without any card resolves to `undefined`. Bearer
 * and DPoP cards (the proof is checked against `request.method` and `request.url`).
 * @example
 * const verify = authenticate(guard);
 * const canRead = authorize(requireScopes('rooms:read'));
 * const auth = await verify(request);
 * if (auth instanceof Response) return auth;
 * const refused = await canRead(request, auth);
 * if (refused) return refused;
 */
export function authenticate(
  guard: Guard,
  options: AuthenticateOptions & { optional: true },
): OptionalFetchAuthenticate;
export function authenticate(
  guard: Guard,
  options?: AuthenticateOptions & { optional?: false | undefined },
): FetchAuthenticate;
export function authenticate(
  guard: Guard,
  options?: AuthenticateOptions,
): FetchAuthenticate | OptionalFetchAuthenticate;
export function authenticate(guard: Guard, options: AuthenticateOptions = {}): OptionalFetchAuthenticate {
  const { optional, onRefused } = checkAuthenticateOptions(options);
  return async (request) => {
    const result = await guard.verifyRequestNow(request);
    if (result.ok) return result.auth;
    if (optional && result.error.code === 'ERR_GUARD_TOKEN_MISSING') {
      rememberGuard(request, guard);
      return undefined;
    }
    onRefused?.(refusalLine(result.error, request.method, request.url), result.error);
    return errorToResponse(result.error, guard);
  };
}

/**
 * Runs policies against the context `authenticate` gave: resolves to undefined when they allow, else to
 * the refusal Response (with the realm of the guard that authenticated the request).
 * @example
 * const refused = await authorize(requireRoles('manager'))(request, auth);
 * if (refused) return refused;
 */
export function authorize(
  ...policies: Policy<Request>[]
): (request: Request, auth: AuthContext | undefined) => Promise<Response | undefined> {
  return async (request, auth) => {
    const denied =
      auth === undefined
        ? new GuardError('ERR_GUARD_TOKEN_MISSING')
        : await checkPolicies(policies, auth, request);
    if (denied === undefined) return undefined;
    const { status, headers, body } = refusal(guardOf(auth, request), denied);
    return new Response(body, { status, headers });
  };
}

export interface WithAuthOptions {
  /** Policies the request must pass before the handler runs (as with `authorize`). */
  policies?: Policy<Request>[];
  /** One line per refused request (e.g. `console.warn`); never a token. Default none. */
  onRefused?: RefusalLogger;
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
  options: WithAuthOptions = {},
): (request: Request) => Promise<Response> {
  const { onRefused } = options;
  const policies = options.policies ?? [];
  const verify = authenticate(guard, onRefused === undefined ? {} : { onRefused });
  return async (request) => {
    const auth = await verify(request);
    if (auth instanceof Response) return auth;
    const denied = policies.length === 0 ? undefined : await checkPolicies(policies, auth, request);
    if (denied !== undefined) {
      onRefused?.(refusalLine(denied, request.method, request.url), denied);
      return errorToResponse(denied, guard);
    }
    return handler(request, auth);
  };
}

import type { Context, MiddlewareHandler } from 'hono';
import { guardOf, rememberGuard } from '../core/auth-owner.js';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import type { AuthenticateOptions } from '../http/authenticate-options.js';
import { checkAuthenticateOptions } from '../http/authenticate-options.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

export type { AuthenticateOptions } from '../http/authenticate-options.js';

/** Hono environment giving `c.get('auth')` its type behind `authenticate(guard)`: `new Hono<KeycardEnv>()`. */
export type KeycardEnv = { Variables: { auth: AuthContext } };

/** Hono environment behind `authenticate(guard, { optional: true })`: `c.get('auth')` may be undefined. */
export type OptionalKeycardEnv = { Variables: { auth: AuthContext | undefined } };

function respond(error: GuardError, guard: Guard | undefined): Response {
  const { status, headers, body } = refusal(guard, error);
  return new Response(body, { status, headers });
}

/**
 * Hono middleware: verifies the access token (Bearer, or DPoP with its proof) and sets `c.get('auth')`,
 * or answers the error itself. With `optional: true` a request without any token passes with
 * `c.get('auth')` undefined. `onRefused` gets one line per refusal; never a token.
 * @example
 * const app = new Hono<KeycardEnv>();
 * app.use('/api/*', authenticate(guard));
 * app.get('/api/me', (c) => c.json({ sub: c.get('auth').sub }));
 */
export function authenticate(
  guard: Guard,
  options: AuthenticateOptions & { optional: true },
): MiddlewareHandler<OptionalKeycardEnv>;
export function authenticate(
  guard: Guard,
  options?: AuthenticateOptions & { optional?: false | undefined },
): MiddlewareHandler<KeycardEnv>;
export function authenticate(
  guard: Guard,
  options?: AuthenticateOptions,
): MiddlewareHandler<KeycardEnv> | MiddlewareHandler<OptionalKeycardEnv>;
export function authenticate(
  guard: Guard,
  options: AuthenticateOptions = {},
): MiddlewareHandler<KeycardEnv> | MiddlewareHandler<OptionalKeycardEnv> {
  const { optional, onRefused } = checkAuthenticateOptions(options);
  const middleware: MiddlewareHandler<OptionalKeycardEnv> = async (c, next) => {
    // A cached card (and a cold one with known keys) is answered synchronously: no turn of the
    // microtask queue for it.
    const now = guard.verifyRequestNow(c.req.raw);
    const result = now instanceof Promise ? await now : now;
    if (result.ok) c.set('auth', result.auth);
    else if (optional && result.error.code === 'ERR_GUARD_TOKEN_MISSING') {
      rememberGuard(c.req.raw, guard);
      c.set('auth', undefined);
    } else {
      onRefused?.(refusalLine(result.error, c.req.method, c.req.url), result.error);
      return respond(result.error, guard);
    }
    await next();
  };
  return middleware;
}

/**
 * Hono middleware running policies against `c.get('auth')`; the policy receives the Hono Context.
 * Refusals carry the realm of the guard that authenticated the request.
 * @example
 * app.get('/api/guests/:id', authorize(requireOwner((c: Context) => c.req.param('id'))), handler);
 */
export function authorize(...policies: Policy<Context<KeycardEnv>>[]): MiddlewareHandler<KeycardEnv> {
  return async (c, next) => {
    const auth = (c as Context<OptionalKeycardEnv>).get('auth');
    const guard = guardOf(auth, c.req.raw);
    if (auth === undefined) return respond(new GuardError('ERR_GUARD_TOKEN_MISSING'), guard);
    const denied = await checkPolicies(policies, auth, c);
    if (denied !== undefined) return respond(denied, guard);
    await next();
  };
}

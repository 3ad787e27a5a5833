import type { Context, MiddlewareHandler } from 'hono';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import { errorResponse } from '../http/error-response.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

/** Hono environment giving `c.get('auth')` its type: `new Hono<KeycardEnv>()`. */
export type KeycardEnv = { Variables: { auth: AuthContext } };

function respond(error: GuardError, realm: string): Response {
  const { status, headers, body } = errorResponse(error, realm);
  return new Response(body, { status, headers });
}

/**
 * Hono middleware: verifies the bearer token and sets `c.get('auth')`, or answers the error itself.
 * @example
 * const app = new Hono<KeycardEnv>();
 * app.use('/api/*', authenticate(guard));
 * app.get('/api/me', (c) => c.json({ sub: c.get('auth').sub }));
 */
export function authenticate(guard: Guard): MiddlewareHandler<KeycardEnv> {
  const realm = guard.options.realm;
  return async (c, next) => {
    const result = await guard.authenticate(c.req.raw);
    if (!result.ok) return respond(result.error, realm);
    c.set('auth', result.auth);
    await next();
  };
}

/**
 * Hono middleware running policies against `c.get('auth')`; the policy receives the Hono Context.
 * @example
 * app.get('/api/guests/:id', authorize(requireOwner((c: Context) => c.req.param('id'))), handler);
 */
export function authorize(...policies: Policy<Context<KeycardEnv>>[]): MiddlewareHandler<KeycardEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    if (auth === undefined) return respond(new GuardError('ERR_GUARD_TOKEN_MISSING'), 'keycard');
    const denied = await checkPolicies(policies, auth, c);
    if (denied !== undefined) return respond(denied, 'keycard');
    await next();
  };
}

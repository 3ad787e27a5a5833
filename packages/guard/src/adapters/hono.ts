import type { Context, MiddlewareHandler } from 'hono';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import type { RefusalLogger } from '../http/refusal.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

/** Hono environment giving `c.get('auth')` its type: `new Hono<KeycardEnv>()`. */
export type KeycardEnv = { Variables: { auth: AuthContext } };

function respond(error: GuardError, guard?: Guard): Response {
  const { status, headers, body } = refusal(guard, error);
  return new Response(body, { status, headers });
}

/**
 * Hono middleware: verifies the access token (Bearer, or DPoP with its proof) and sets `c.get('auth')`,
 * or answers the error itself. `onRefused` gets one line per refusal; never a token.
 * @example
 * const app = new Hono<KeycardEnv>();
 * app.use('/api/*', authenticate(guard));
 * app.get('/api/me', (c) => c.json({ sub: c.get('auth').sub }));
 */
export function authenticate(
  guard: Guard,
  options: { onRefused?: RefusalLogger } = {},
): MiddlewareHandler<KeycardEnv> {
  return async (c, next) => {
    const result = await guard.authenticate(c.req.raw);
    if (!result.ok) {
      options.onRefused?.(refusalLine(result.error, c.req.method, c.req.url), result.error);
      return respond(result.error, guard);
    }
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
    if (auth === undefined) return respond(new GuardError('ERR_GUARD_TOKEN_MISSING'));
    const denied = await checkPolicies(policies, auth, c);
    if (denied !== undefined) return respond(denied);
    await next();
  };
}

import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import { guardOf, rememberGuard } from '../core/auth-owner.js';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import type { AuthenticateOptions } from '../http/authenticate-options.js';
import { checkAuthenticateOptions } from '../http/authenticate-options.js';
import type { RefusalLogger } from '../http/refusal.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { isResult } from '../http/settle.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext, AuthResult } from '../types.js';

export type { AuthenticateOptions } from '../http/authenticate-options.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified token's context; `undefined` on public routes (`config: { auth: false }`) and on
     * requests let through by `optional` without a card. Never null.
     */
    auth: AuthContext | undefined;
  }
  interface FastifyContextConfig {
    /** `false` makes a route public when the plugin authenticates every route. */
    auth?: boolean;
  }
}

export interface KeycardFastifyOptions {
  guard: Guard;
  /** Let requests without a token through with `request.auth === undefined`. Default false. */
  optional?: boolean;
  /** Authenticate every route (skip one with `config: { auth: false }`). Default true. */
  global?: boolean;
  /** One line per refused request (e.g. `console.warn`); never a token. Default none. */
  onRefused?: RefusalLogger;
}

function send(reply: FastifyReply, error: GuardError, guard: Guard | undefined): void {
  const { status, headers, body } = refusal(guard, error);
  reply.code(status).headers(headers).send(body);
}

/**
 * onRequest hook verifying the access token, Bearer or DPoP with its proof (runs before the body is read).
 * @example
 * fastify.get('/me', { onRequest: authenticate(guard) }, (req) => ({ sub: req.auth!.sub }));
 */
export function authenticate(guard: Guard, options: AuthenticateOptions = {}): onRequestHookHandler {
  const { optional, onRefused } = checkAuthenticateOptions(options);
  const settle = (result: AuthResult, request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (result.ok) {
      request.auth = result.auth;
      done();
    } else if (optional && result.error.code === 'ERR_GUARD_TOKEN_MISSING') {
      rememberGuard(request, guard);
      done();
    } else {
      onRefused?.(refusalLine(result.error, request.method, request.url), result.error);
      send(reply, result.error, guard);
    }
  };
  return function keycardAuthenticate(request, reply, done) {
    if (request.routeOptions.config.auth === false) return done();
    // A synchronous answer (a cached card, or a cold one with the keys at hand) settles without a closure.
    const result = guard.verifyRequestNow(request);
    if (isResult(result)) settle(result, request, reply, done);
    else result.then((r) => settle(r, request, reply, done), done);
  };
}

/**
 * preHandler hook running policies against `request.auth`. Refusals carry the realm of the guard that
 * authenticated the request.
 * @example
 * fastify.get('/guests/:id', { preHandler: authorize(requireOwner((req) => req.params.id)) }, handler);
 */
// biome-ignore lint/suspicious/noExplicitAny: the policy sees Fastify's request with any route generics
export function authorize(...policies: Policy<any>[]): preHandlerHookHandler {
  return function keycardAuthorize(request, reply, done) {
    const auth = request.auth;
    const guard = guardOf(auth, request);
    if (auth === undefined) return send(reply, new GuardError('ERR_GUARD_TOKEN_MISSING'), guard);
    const denied = checkPolicies(policies, auth, request);
    const settle = (d: GuardError | undefined): void => (d === undefined ? done() : send(reply, d, guard));
    if (denied instanceof Promise) denied.then(settle, done);
    else settle(denied);
  };
}

/**
 * Fastify plugin: decorates `request.auth` and, unless `global: false`, authenticates every route.
 * Registered with skip-override semantics (like fastify-plugin) so the decoration reaches the parent.
 * @example
 * await app.register(keycard, { guard });
 * app.get('/health', { config: { auth: false } }, () => 'ok');
 */
export const keycard: FastifyPluginCallback<KeycardFastifyOptions> = (fastify, options, done) => {
  if (options?.guard === undefined)
    return done(new TypeError('keycard plugin: the "guard" option is required'));
  // The remaining options are authenticate()'s, checked the same way: a removed or mistyped one fails
  // the registration (never silently ignored), through done() rather than a throw that hangs ready().
  const { guard, global, ...rest } = options;
  let hook: onRequestHookHandler;
  try {
    hook = authenticate(guard, rest);
  } catch (error) {
    return done(error as Error);
  }
  fastify.decorateRequest('auth', undefined);
  if (global !== false) fastify.addHook('onRequest', hook);
  done();
};
Object.assign(keycard, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@keycard/guard',
});

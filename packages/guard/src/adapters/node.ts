import type { IncomingMessage, ServerResponse } from 'node:http';
import { guardOf, rememberGuard } from '../core/auth-owner.js';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import type { AuthenticateOptions } from '../http/authenticate-options.js';
import { checkAuthenticateOptions } from '../http/authenticate-options.js';
import { errorResponse } from '../http/error-response.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

export type { AuthenticateOptions } from '../http/authenticate-options.js';

/**
 * Answers a GuardError on a node:http response (401/400/403/503 with `WWW-Authenticate` and a JSON body).
 * Pass the guard (rather than a realm) to get its realm and its `DPoP algs` challenge.
 * @example
 * if (!result.ok) return sendError(res, result.error, guard);
 */
export function sendError(res: ServerResponse, error: GuardError, realm: string | Guard = 'keycard'): void {
  const { status, headers, body } =
    typeof realm === 'string' ? errorResponse(error, realm) : refusal(realm, error);
  if (!res.headersSent) res.writeHead(status, headers);
  res.end(body);
}

/** `authenticate(guard)` for node:http: the AuthContext, or null once the refusal has been answered. */
export type NodeAuthenticate = (req: IncomingMessage, res: ServerResponse) => Promise<AuthContext | null>;
/** `authenticate(guard, { optional: true })`: also `undefined` for a request without any card. */
export type OptionalNodeAuthenticate = (
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<AuthContext | undefined | null>;

/**
 * For plain `node:http`: returns `authenticate(req, res)`, which resolves to the AuthContext, or to null
 * after answering the refusal itself (then just return from your handler). With `optional: true` a
 * request without any card resolves to `undefined`. Bearer and DPoP cards (the proof is checked against
 * `req.method` and `req.url`). `onRefused` gets one line per refusal; never a token.
 * @example
 * const auth = authenticate(guard);
 * const canRead = authorize(requireScopes('rooms:read'));
 * http.createServer(async (req, res) => {
 *   const ctx = await auth(req, res);
 *   if (ctx === null || !(await canRead(req, res, ctx))) return;
 *   res.end(`hello ${ctx.sub}`);
 * });
 */
export function authenticate(
  guard: Guard,
  options: AuthenticateOptions & { optional: true },
): OptionalNodeAuthenticate;
export function authenticate(
  guard: Guard,
  options?: AuthenticateOptions & { optional?: false | undefined },
): NodeAuthenticate;
export function authenticate(
  guard: Guard,
  options?: AuthenticateOptions,
): NodeAuthenticate | OptionalNodeAuthenticate;
export function authenticate(guard: Guard, options: AuthenticateOptions = {}): OptionalNodeAuthenticate {
  const { optional, onRefused } = checkAuthenticateOptions(options);
  return async (req, res) => {
    const result = await guard.verifyRequestNow(req);
    if (result.ok) return result.auth;
    if (optional && result.error.code === 'ERR_GUARD_TOKEN_MISSING') {
      rememberGuard(req, guard);
      return undefined;
    }
    onRefused?.(refusalLine(result.error, req.method, req.url), result.error);
    sendError(res, result.error, guard);
    return null;
  };
}

/**
 * Runs policies against the context `authenticate` gave: resolves to true when they allow, or to false
 * after answering the refusal (with the realm of the guard that authenticated the request).
 * @example
 * const canDelete = authorize(requireRoles('manager'));
 * if (!(await canDelete(req, res, ctx))) return;
 */
export function authorize(
  ...policies: Policy<IncomingMessage>[]
): (req: IncomingMessage, res: ServerResponse, auth: AuthContext | undefined) => Promise<boolean> {
  return async (req, res, auth) => {
    const guard = guardOf(auth, req);
    const denied =
      auth === undefined
        ? new GuardError('ERR_GUARD_TOKEN_MISSING')
        : await checkPolicies(policies, auth, req);
    if (denied === undefined) return true;
    const { status, headers, body } = refusal(guard, denied);
    if (!res.headersSent) res.writeHead(status, headers);
    res.end(body);
    return false;
  };
}

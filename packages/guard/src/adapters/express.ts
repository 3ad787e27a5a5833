import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { guardOf, rememberGuard } from '../core/auth-owner.js';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import type { AuthenticateOptions } from '../http/authenticate-options.js';
import { checkAuthenticateOptions } from '../http/authenticate-options.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { isResult } from '../http/settle.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy, PolicyResult } from '../policies/policy.js';
import type { AuthContext, AuthResult, RequestLike } from '../types.js';

export type { AuthenticateOptions } from '../http/authenticate-options.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by `authenticate()` once the card is verified; `undefined` on routes it let through. */
      auth?: AuthContext | undefined;
    }
  }
}

function send(res: Response, error: GuardError, guard: Guard | undefined): void {
  const { status, headers, body } = refusal(guard, error);
  res.status(status).set(headers).send(body);
}

/** Under `app.use('/api', …)` Express rewrites `req.url`; DPoP needs the URL the client addressed. */
function requestOf(req: Request): RequestLike {
  if (req.url === req.originalUrl) return req;
  return { headers: req.headers, method: req.method, url: req.originalUrl, socket: req.socket };
}

/**
 * Express middleware: verifies the access token (Bearer, or DPoP with its proof) and sets `req.auth`,
 * or answers 401/400/403/503 itself. With `optional: true` a request without any token passes with
 * `req.auth` undefined. `onRefused` (e.g. `console.warn`) gets one line per refusal; never a token.
 * @example
 * app.use(authenticate(guard, { onRefused: (line) => console.warn(line) }));
 * app.get('/me', (req, res) => res.json({ sub: req.auth?.sub }));
 */
export function authenticate(guard: Guard, options: AuthenticateOptions = {}): RequestHandler {
  const { optional, onRefused } = checkAuthenticateOptions(options);
  const settle = (result: AuthResult, req: Request, res: Response, next: NextFunction): void => {
    if (result.ok) {
      req.auth = result.auth;
      next();
    } else if (optional && result.error.code === 'ERR_GUARD_TOKEN_MISSING') {
      rememberGuard(req, guard);
      next();
    } else {
      onRefused?.(refusalLine(result.error, req.method, req.originalUrl), result.error);
      send(res, result.error, guard);
    }
  };
  return (req, res, next) => {
    const result = guard.verifyRequestNow(requestOf(req));
    if (isResult(result)) settle(result, req, res, next);
    else result.then((r) => settle(r, req, res, next), next);
  };
}

/**
 * Express middleware running policies against `req.auth` (mount after `authenticate`). Refusals carry
 * the realm of the guard that authenticated the request.
 * @example
 * app.delete('/rooms/:id', authorize(requireRoles('manager')), handler);
 */
export function authorize(...policies: Policy<Request>[]): RequestHandler {
  return (req, res, next) => {
    const auth = req.auth;
    const guard = guardOf(auth, req);
    if (auth === undefined) return send(res, new GuardError('ERR_GUARD_TOKEN_MISSING'), guard);
    const settle = (denied: PolicyResult): void => (denied === undefined ? next() : send(res, denied, guard));
    const denied = checkPolicies(policies, auth, req);
    if (denied instanceof Promise) denied.then(settle, next);
    else settle(denied);
  };
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import { errorResponse } from '../http/error-response.js';
import { isResult } from '../http/settle.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy, PolicyResult } from '../policies/policy.js';
import type { AuthContext, AuthResult } from '../types.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by `authenticate()` once the bearer token is verified. */
      auth?: AuthContext;
    }
  }
}

function send(res: Response, error: GuardError, realm: string): void {
  const { status, headers, body } = errorResponse(error, realm);
  res.status(status).set(headers).send(body);
}

/**
 * Express middleware: verifies the bearer token and sets `req.auth`, or answers 401/400/403/503 itself.
 * With `optional: true` a request without any token passes with `req.auth` unset.
 * @example
 * app.use(authenticate(guard));
 * app.get('/me', (req, res) => res.json({ sub: req.auth!.sub }));
 */
export function authenticate(guard: Guard, options: { optional?: boolean } = {}): RequestHandler {
  const realm = guard.options.realm;
  const settle = (result: AuthResult, req: Request, res: Response, next: NextFunction): void => {
    if (result.ok) {
      req.auth = result.auth;
      next();
    } else if (options.optional && result.error.code === 'ERR_GUARD_TOKEN_MISSING') next();
    else send(res, result.error, realm);
  };
  return (req, res, next) => {
    const result = guard.authenticate(req);
    if (isResult(result)) settle(result, req, res, next);
    else result.then((r) => settle(r, req, res, next), next);
  };
}

/**
 * Express middleware running policies against `req.auth` (mount after `authenticate`).
 * @example
 * app.delete('/rooms/:id', authorize(requireRoles('manager')), handler);
 */
export function authorize(...policies: Policy<Request>[]): RequestHandler {
  const settle = (denied: PolicyResult, res: Response, next: NextFunction): void => {
    if (denied === undefined) next();
    else send(res, denied, 'keycard');
  };
  return (req, res, next) => {
    if (req.auth === undefined) return send(res, new GuardError('ERR_GUARD_TOKEN_MISSING'), 'keycard');
    const denied = checkPolicies(policies, req.auth, req);
    if (denied instanceof Promise) denied.then((d) => settle(d, res, next), next);
    else settle(denied, res, next);
  };
}

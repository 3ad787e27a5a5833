import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Guard } from '../core/create-guard.js';
import { GuardError } from '../errors.js';
import type { RefusalLogger } from '../http/refusal.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { isResult } from '../http/settle.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy, PolicyResult } from '../policies/policy.js';
import type { AuthContext, AuthResult, RequestLike } from '../types.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by `authenticate()` once the bearer token is verified. */
      auth?: AuthContext;
    }
  }
}

function send(res: Response, error: GuardError, guard?: Guard): void {
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
 * `req.auth` unset. `onRefused` (e.g. `console.warn`) gets one line per refusal; never a token.
 * @example
 * app.use(authenticate(guard, { onRefused: (line) => console.warn(line) }));
 * app.get('/me', (req, res) => res.json({ sub: req.auth!.sub }));
 */
export function authenticate(
  guard: Guard,
  options: { optional?: boolean; onRefused?: RefusalLogger } = {},
): RequestHandler {
  const settle = (result: AuthResult, req: Request, res: Response, next: NextFunction): void => {
    if (result.ok) {
      req.auth = result.auth;
      next();
    } else if (options.optional && result.error.code === 'ERR_GUARD_TOKEN_MISSING') next();
    else {
      options.onRefused?.(refusalLine(result.error, req.method, req.originalUrl), result.error);
      send(res, result.error, guard);
    }
  };
  return (req, res, next) => {
    const result = guard.authenticate(requestOf(req));
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
    else send(res, denied);
  };
  return (req, res, next) => {
    if (req.auth === undefined) return send(res, new GuardError('ERR_GUARD_TOKEN_MISSING'));
    const denied = checkPolicies(policies, req.auth, req);
    if (denied instanceof Promise) denied.then((d) => settle(d, res, next), next);
    else settle(denied, res, next);
  };
}

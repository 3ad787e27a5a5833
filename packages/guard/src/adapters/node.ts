import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '../core/create-guard.js';
import type { GuardError } from '../errors.js';
import { errorResponse } from '../http/error-response.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

/**
 * Answers a GuardError on a node:http response (401/400/403/503 with `WWW-Authenticate` and a JSON body).
 * @example
 * if (!result.ok) return sendError(res, result.error);
 */
export function sendError(res: ServerResponse, error: GuardError, realm = 'keycard'): void {
  const { status, headers, body } = errorResponse(error, realm);
  if (!res.headersSent) res.writeHead(status, headers);
  res.end(body);
}

/**
 * For plain `node:http`: returns `authenticate(req, res)`, which resolves to the AuthContext, or to null
 * after answering the failure itself (then just return from your handler).
 * @example
 * const auth = authenticate(guard, { policies: [requireScopes('rooms:read')] });
 * http.createServer(async (req, res) => {
 *   const ctx = await auth(req, res);
 *   if (ctx === null) return;
 *   res.end(`hello ${ctx.sub}`);
 * });
 */
export function authenticate(
  guard: Guard,
  options: { policies?: Policy<IncomingMessage>[] } = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<AuthContext | null> {
  const realm = guard.options.realm;
  const policies = options.policies ?? [];
  return async (req, res) => {
    const result = await guard.authenticate(req);
    if (!result.ok) {
      sendError(res, result.error, realm);
      return null;
    }
    const denied = policies.length === 0 ? undefined : await checkPolicies(policies, result.auth, req);
    if (denied !== undefined) {
      sendError(res, denied, realm);
      return null;
    }
    return result.auth;
  };
}
